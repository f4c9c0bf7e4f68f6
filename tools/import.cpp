// `dreamwalk import`: bring your own data. Parses the flags into ImportOptions, runs
// data::import_dataset and prints the summary (or --json).
#include <cstdio>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "datasets/dataset.h"
#include "datasets/import.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

struct ImportFlags {
  std::vector<std::string> frames, videos, scales;
  std::string crop = "center";
  std::string split = "0.8,0.1,0.1";
  bool json = false;
  data::ImportOptions options;
};

// Sources keep their command-line order across --frames and --video, so the Nth CSV and
// --unseen N mean the Nth source as written.
std::vector<data::ImportSource> ordered_sources(const CLI::App& command, const ImportFlags& flags,
                                                const CLI::Option* frames, const CLI::Option* videos) {
  std::vector<data::ImportSource> sources;
  size_t next_frames = 0, next_video = 0;
  for (const CLI::Option* option : command.parse_order()) {
    if (option == frames && next_frames < flags.frames.size()) {
      sources.push_back({data::ImportSource::Kind::Frames, flags.frames[next_frames++]});
    } else if (option == videos && next_video < flags.videos.size()) {
      sources.push_back({data::ImportSource::Kind::Video, flags.videos[next_video++]});
    }
  }
  return sources;
}

std::vector<double> parse_split(const std::string& text) {
  std::vector<double> ratios;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    try {
      size_t used = 0;
      const std::string part = text.substr(start, comma - start);
      ratios.push_back(std::stod(part, &used));
      if (used != part.size()) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      throw UserError("--split '" + text + "': expected three numbers train,val,test like 0.8,0.1,0.1");
    }
    start = comma + 1;
  }
  return ratios;
}

std::map<std::string, float> parse_scales(const std::vector<std::string>& specs) {
  std::map<std::string, float> scales;
  for (const auto& spec : specs) {
    const auto eq = spec.find('=');
    try {
      if (eq == std::string::npos || eq == 0) throw std::invalid_argument(spec);
      size_t used = 0;
      scales[spec.substr(0, eq)] = std::stof(spec.substr(eq + 1), &used);
      if (used != spec.size() - eq - 1) throw std::invalid_argument(spec);
    } catch (const std::exception&) {
      throw UserError("--action-scale '" + spec + "': expected NAME=VALUE, e.g. steer=0.5");
    }
  }
  return scales;
}

void print_summary(const data::ImportSummary& summary) {
  std::printf("imported %s, %s (of %s) into %s\n", counted(summary.episodes, "episode").c_str(),
              counted(summary.frames, "frame").c_str(), counted(summary.source_frames, "source frame").c_str(),
              summary.out.string().c_str());
  std::string splits;
  for (const auto& name : data::split_names()) {
    splits += fmt::format(" {} {}", name, summary.split_episodes.at(name));
  }
  std::printf("splits:%s\n", splits.c_str());
  long dropped = 0;
  for (const auto& entry : summary.dropped) dropped += entry.second;
  std::printf("dropped %s\n", counted(dropped, "frame").c_str());
  for (const auto& [reason, count] : summary.dropped) std::printf("  %ld %s\n", count, reason.c_str());
  if (summary.columns.empty()) std::printf("actions: none (action dimension 0: a video predictor)\n");
  for (const auto& c : summary.columns) {
    std::printf("action %-10s raw range [%g, %g], 1.0 = %g (%s), %.1f%% clipped to +-1\n", c.name.c_str(),
                c.min, c.max, c.scale, c.rule.c_str(),
                100.0 * c.clipped_fraction);
  }
}

nlohmann::json summary_json(const data::ImportSummary& summary) {
  nlohmann::json json = {{"out", summary.out.string()},
                         {"episodes", summary.episodes},
                         {"frames", summary.frames},
                         {"source_frames", summary.source_frames},
                         {"splits", summary.split_episodes},
                         {"dropped", summary.dropped}};
  json["actions"] = nlohmann::json::array();
  for (const auto& c : summary.columns) {
    json["actions"].push_back({{"name", c.name}, {"min", c.min}, {"max", c.max}, {"scale", c.scale},
                               {"scale_rule", c.rule}, {"clipped_fraction", c.clipped_fraction}});
  }
  return json;
}

void run_import(const CLI::App& command, ImportFlags& flags, const CLI::Option* frames,
                const CLI::Option* videos) {
  auto& options = flags.options;
  options.sources = ordered_sources(command, flags, frames, videos);
  options.center_crop = flags.crop == "center";
  options.split = parse_split(flags.split);
  options.action_scales = parse_scales(flags.scales);
  std::unique_ptr<ProgressLine> line;
  std::string stage;
  auto progress = [&](const std::string& now, long done, long total) {
    if (flags.json) return;
    if (now != stage) {
      stage = now;
      line = std::make_unique<ProgressLine>(now, total, now == "reading" ? "sources" : "episodes");
    }
    if (done == total) line->finish();
    else line->update(done);
  };
  const auto summary = data::import_dataset(options, progress);
  const std::string held_out = data::held_out_warning(data::read_manifest(summary.out), summary.out);
  if (!held_out.empty()) {
    std::fprintf(stderr, "dreamwalk: warning: %s; import more or longer recordings, or change --split\n",
                 held_out.c_str());
  }
  if (flags.json) std::printf("%s\n", summary_json(summary).dump().c_str());
  else print_summary(summary);
}

}  // namespace

void add_import_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "import", "Make a dataset from your own frames or videos, with an actions CSV, a poses CSV or neither");
  auto flags = std::make_shared<ImportFlags>();
  auto& o = flags->options;
  CLI::Option* frames = command->add_option("--frames", flags->frames, "Folder of PNG/JPEG frames in name order (repeatable)")
      ->allow_extra_args(false);
  CLI::Option* videos = command->add_option("--video", flags->videos, "Video file: MP4, MKV, AVI, WebM... (repeatable)")
      ->allow_extra_args(false);
  command->add_option("--actions", o.actions_csvs, "Actions CSV, one per source in order")->allow_extra_args(false);
  command->add_option("--poses", o.poses_csvs, "Odometry CSV (time or frame, x, y, yaw), one per source")
      ->allow_extra_args(false);
  command->add_option("--action-columns", o.action_columns, "Columns to use, NAME or NAME=NEW_NAME, comma separated")
      ->delimiter(',');
  command->add_option("--action-scale", flags->scales, "NAME=VALUE: the raw value that maps to 1 (default: from the data)")
      ->delimiter(',');
  command->add_option("--size", o.size, "Output frames are SIZE x SIZE")->capture_default_str();
  command->add_option("--crop", flags->crop, "center: crop to a centred square first; none: stretch")
      ->check(CLI::IsMember({"center", "none"}))->capture_default_str();
  command->add_option("--fps", o.fps, "Resample to this frame rate, aligning by time (default: keep every frame)");
  command->add_option("--frames-fps", o.frames_fps, "Frame rate of --frames folders (gives them timestamps)");
  command->add_option("--episode-length", o.episode_length, "Chop recordings into episodes of at most N frames (0 = no limit)")
      ->capture_default_str();
  command->add_option("--min-length", o.min_length, "Drop pieces shorter than M frames")->capture_default_str();
  command->add_option("--split", flags->split, "train,val,test ratios")->capture_default_str();
  command->add_option("--split-by", o.split_by, "Shuffle whole episodes or whole recordings into splits")
      ->check(CLI::IsMember({"episode", "recording"}))->capture_default_str();
  command->add_option("--unseen", o.unseen, "Source indices (0-based, command-line order) for test_unseen");
  command->add_option("--seed", o.seed, "Seed of the split shuffle")->capture_default_str();
  command->add_option("--out", o.out, "Dataset folder to create (must not exist unless --force)")->required();
  command->add_flag("--force", o.force, "Replace an existing --out (the old one stays until the new one is complete)");
  command->add_flag("--json", flags->json, "Print the summary as one JSON object");
  command->callback([command, flags, frames, videos] { run_import(*command, *flags, frames, videos); });
}

}  // namespace dw::tools
