// `dreamwalk map-views`: remembers the views of a dataset's training walks by pose, in a run folder
// (view_map.safetensors), so that the run's Simulator recalls them in the worlds it was trained in.
// With --world-seed instead of --data it generates the walks `gen` would write, in memory. With
// --add the views join the run's map instead of replacing it (the default map is built in two
// parts: world 1's walks, then walks of other worlds).
#include <fmt/format.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "datasets/dataset.h"
#include "datasets/generate.h"
#include "model/checkpoint_meta.h"
#include "model/simulator.h"
#include "model/view_map.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

// The default map's recipe (tools/gen-default-data.sh view-map passes it in full).
data::GenerateOptions default_map_walks() {
  data::GenerateOptions walks;
  walks.episodes = 800;
  walks.steps = 200;
  walks.policy = "explore,keys";
  return walks;
}

struct MapViewsFlags {
  std::string checkpoint;
  std::string data;
  std::string split = "train";
  bool add = false;  // add to the run's map instead of replacing it
  model::ViewMapSpacing spacing;
  // --world-seed: the walks of `gen --world-seed S --episodes N --steps T --policy P` (its
  // training split), generated in memory at the model's frame size.
  data::GenerateOptions walks = default_map_walks();
};

model::ViewMap generated_map(const MapViewsFlags& flags, const model::CheckpointMeta& meta, ProgressLine& progress) {
  const int width = meta.config.model.width;
  const int height = meta.config.model.height;
  if (width != height || width < 32 || width > 512) {
    throw UserError(fmt::format("map-views --world-seed: the model's frames are {}x{}, and generated walks are square, "
                                "32..512 pixels: map a dataset with --data instead",
                                width, height));
  }
  if (!meta.schema.is_navigation()) {
    throw UserError("map-views --world-seed: the model does not take the world's navigation actions");
  }
  data::GenerateOptions options = flags.walks;
  options.size = width;
  return model::ViewMap::build_generated(options, flags.spacing, [&](int done, int) { progress.update(done); });
}

// Runs `adding` (which may refuse a world already in the map, or frames of another size) with the
// map file named in its error.
void naming_file_in_errors(const std::filesystem::path& file, const std::function<void()>& adding) {
  try {
    adding();
  } catch (const UserError& error) {
    throw UserError(file.string() + ": " + error.what());
  }
}

void run_map_views(const MapViewsFlags& flags, bool generate) {
  if (generate == !flags.data.empty()) throw UserError("map-views: give one of --data DIR or --world-seed S");
  const std::filesystem::path run = model::resolve_run_dir(flags.checkpoint);
  const model::CheckpointMeta meta = model::read_checkpoint_meta(run).meta;
  const std::filesystem::path out = run / model::kViewMapFile;
  model::ViewMap map;
  if (flags.add) {
    if (!std::filesystem::exists(out)) {
      throw UserError("map-views --add: " + run.string() + " has no view map (" + model::kViewMapFile + ") to add to");
    }
    map = model::ViewMap::load(out);
    // Walks to be generated name their worlds up front: a clash is refused before any is walked.
    std::set<std::uint64_t> worlds;
    for (int w = 0; generate && w < flags.walks.worlds; ++w) {
      worlds.insert(flags.walks.world_seed + static_cast<std::uint64_t>(w));
    }
    naming_file_in_errors(out, [&] { map.check_new_worlds(worlds); });
  }
  const std::size_t before = map.size();
  ProgressLine progress("map-views", generate ? flags.walks.episodes : 0, "episodes");
  model::ViewMap added;
  if (generate) {
    added = generated_map(flags, meta, progress);
  } else {
    const data::Manifest manifest = data::read_manifest(flags.data);
    model::check_view_map_source(manifest, meta.config.model.width, meta.config.model.height, meta.schema,
                                 flags.data);
    added = model::ViewMap::build(flags.data, flags.split, flags.spacing, [&](int done, int) { progress.update(done); });
  }
  progress.finish();
  if (flags.add) {
    naming_file_in_errors(out, [&] { map.append(added); });
  } else {
    map = std::move(added);
  }
  map.save(out);
  const std::string worlds =
      flags.walks.worlds > 1 ? fmt::format("world seeds {}..{}", flags.walks.world_seed,
                                           flags.walks.world_seed + static_cast<std::uint64_t>(flags.walks.worlds) - 1)
                             : fmt::format("world seed {}", flags.walks.world_seed);
  fmt::print("wrote {}: {} views of {}{} ({:.1f} MB)\n", out.string(), map.size(),
             generate ? fmt::format("{} generated walks of {}", flags.walks.episodes, worlds)
                      : "split '" + flags.split + "'",
             flags.add ? fmt::format(", {} of them added to the {} there", map.size() - before, before) : "",
             static_cast<double>(std::filesystem::file_size(out)) / 1e6);
}

}  // namespace

void add_map_views_command(CLI::App& app) {
  auto flags = std::make_shared<MapViewsFlags>();
  CLI::App* command = app.add_subcommand(
      "map-views",
      "Remember a dataset's views (or those of walks generated in memory) by pose in a run folder, for recall in the "
      "worlds they show");
  command->add_option("--checkpoint", flags->checkpoint, "Run folder (or its model.json) to add the map to")
      ->required();
  CLI::Option* data = command->add_option("--data", flags->data, "Dataset whose episodes record poses");
  CLI::Option* seed =
      command->add_option("--world-seed", flags->walks.world_seed,
                          "Instead of --data: generate the training walks that `gen --world-seed S` with "
                          "--episodes, --steps and --policy would write, in memory (no dataset on disk)");
  seed->excludes(data);
  command->add_option("--worlds", flags->walks.worlds, "With --world-seed: walks spread over world seeds S .. S+W-1, as gen's")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000))
      ->needs(seed);
  command->add_option("--episodes", flags->walks.episodes, "With --world-seed: walks")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000))
      ->needs(seed);
  command->add_option("--steps", flags->walks.steps, "With --world-seed: actions per walk")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000))
      ->needs(seed);
  command->add_option("--policy", flags->walks.policy, "With --world-seed: collection policy or mix, as gen's")
      ->capture_default_str()
      ->needs(seed);
  command->add_option("--split", flags->split, "With --data: split whose views are kept")
      ->capture_default_str()
      ->excludes(seed);
  command->add_option("--spacing", flags->spacing.position, "Keep one view per this many cells of position")
      ->capture_default_str()
      ->check(CLI::Range(0.001f, 10.0f));
  command->add_option("--yaw-spacing", flags->spacing.yaw, "... and per this many radians of heading")
      ->capture_default_str()
      ->check(CLI::Range(0.001f, 3.2f));
  command->add_flag("--add", flags->add,
                    "Add these views to the run's map instead of replacing it (their worlds must not be in it yet)");
  command->callback([flags, seed] { run_map_views(*flags, seed->count() > 0); });
}

}  // namespace dw::tools
