// `dreamwalk map-views`: remembers the views of a dataset's training walks by pose, in a run folder
// (view_map.safetensors), so that the run's Simulator recalls them in the worlds it was trained in.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "datasets/dataset.h"
#include "model/checkpoint_meta.h"
#include "model/simulator.h"
#include "model/view_map.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

struct MapViewsFlags {
  std::string checkpoint;
  std::string data;
  std::string split = "train";
  model::ViewMapSpacing spacing;
};

void run_map_views(const MapViewsFlags& flags) {
  const std::filesystem::path run = model::resolve_run_dir(flags.checkpoint);
  const model::CheckpointMeta meta = model::read_checkpoint_meta(run).meta;
  const data::Manifest manifest = data::read_manifest(flags.data);
  model::check_view_map_source(manifest, meta.config.model.width, meta.config.model.height, meta.schema,
                               flags.data);
  ProgressLine progress("map-views", 0, "episodes");
  const model::ViewMap map = model::ViewMap::build(flags.data, flags.split, flags.spacing,
                                                   [&](int done, int) { progress.update(done); });
  progress.finish();
  const std::filesystem::path out = run / model::kViewMapFile;
  map.save(out);
  fmt::print("wrote {}: {} views of split '{}' ({:.1f} MB)\n", out.string(), map.size(), flags.split,
             static_cast<double>(std::filesystem::file_size(out)) / 1e6);
}

}  // namespace

void add_map_views_command(CLI::App& app) {
  auto flags = std::make_shared<MapViewsFlags>();
  CLI::App* command = app.add_subcommand(
      "map-views", "Remember a dataset's views by pose in a run folder, for recall in the worlds it shows");
  command->add_option("--checkpoint", flags->checkpoint, "Run folder (or its model.json) to add the map to")
      ->required();
  command->add_option("--data", flags->data, "Dataset whose episodes record poses")->required();
  command->add_option("--split", flags->split, "Split whose views are kept")->capture_default_str();
  command->add_option("--spacing", flags->spacing.position, "Keep one view per this many cells of position")
      ->capture_default_str()
      ->check(CLI::Range(0.001f, 10.0f));
  command->add_option("--yaw-spacing", flags->spacing.yaw, "... and per this many radians of heading")
      ->capture_default_str()
      ->check(CLI::Range(0.001f, 3.2f));
  command->callback([flags] { run_map_views(*flags); });
}

}  // namespace dw::tools
