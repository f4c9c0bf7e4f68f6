// `dreamwalk import`: turns your own recordings (folders of frames or video files, with an
// actions CSV, an odometry/poses CSV, or neither) into a Dreamwalk dataset that passes
// validate_dataset. The CLI is a thin shell over import_dataset().
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "datasets/episode.h"
#include "datasets/import_layout.h"

namespace dw::data {

struct ImportSource {
  enum class Kind { Frames, Video };
  Kind kind = Kind::Frames;
  std::filesystem::path path;
};

struct ImportOptions {
  std::vector<ImportSource> sources;
  // At most one of these, with one CSV per source (in source order).
  std::vector<std::filesystem::path> actions_csvs;
  std::vector<std::filesystem::path> poses_csvs;
  std::vector<std::string> action_columns;     // "a" or "a=new_name"; empty = all but frame/time
  std::map<std::string, float> action_scales;  // by dataset column name; others derived
  int size = 64;
  bool center_crop = true;
  double fps = 0;         // resample to this rate by time; 0 = keep every frame
  double frames_fps = 0;  // frame rate of --frames folders (they carry no timestamps)
  int episode_length = 0; // frames per episode, 0 = whole runs
  int min_length = 2;     // shorter pieces are dropped
  std::vector<double> split = {0.8, 0.1, 0.1};
  std::string split_by = "episode";  // or "recording"
  std::vector<int> unseen;           // source indices (0-based) whose episodes go to test_unseen
  std::uint64_t seed = 0;
  std::filesystem::path out;
  bool force = false;  // replace an existing --out
};

struct ColumnRange {
  std::string name;
  double min = 0, max = 0;  // raw values, in the CSV's units
  float scale = 1;          // the value mapped to 1 (stored in the schema limits)
  std::string rule;         // where the scale came from, for the summary
  double clipped_fraction = 0;  // share of values beyond the scale by over 1% (clipped to +-1)
};

struct ImportSummary {
  std::filesystem::path out;
  int episodes = 0;
  long frames = 0;
  long source_frames = 0;
  std::map<std::string, int> split_episodes;
  DropCounts dropped;  // frames left out, by reason
  std::vector<ColumnRange> columns;
};

// Reports what is happening: a stage ("reading", "writing"), units done and total.
using ImportProgress = std::function<void(const std::string& stage, long done, long total)>;

// Builds the dataset in a temporary sibling of options.out and renames it into place, so a
// failure leaves nothing behind. Throws UserError for bad input or when out already exists.
ImportSummary import_dataset(const ImportOptions& options, const ImportProgress& progress = {});

}  // namespace dw::data
