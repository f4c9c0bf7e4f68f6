// The episode format: N+1 frames, N actions (dimension 0..8), optional N+1 poses, and metadata.
// On disk: one folder per episode with frames/000000.png ... and one human-readable episode.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nav/base/image.h"
#include "nav/pose.h"
#include "nav/world.h"

namespace dw::data {

// What the action vector means: one name per dimension and the physical value of +1 on each,
// plus a suggested key binding per dimension (e.g. "W/S") for interactive tools. Dimension 0 =
// plain video.
struct ActionSchema {
  std::vector<std::string> names;
  std::vector<float> limits;        // physical units per step at |action| = 1
  std::vector<std::string> keys;    // "positive/negative" key names, may be empty
  int dimension() const { return static_cast<int>(names.size()); }
  static ActionSchema navigation(const nav::ActionLimits& limits);  // forward, strafe, turn
  bool is_navigation() const;  // forward, strafe, turn: the actions the ground-truth world takes
};

// The ground-truth world a navigation model (or dataset) is walked and scored in: default level
// settings, moving as far per step as the schema's limits say, because a world with other limits
// is not the one the frames were learned from. UserError unless schema.is_navigation().
nav::WorldSettings world_settings_for(const ActionSchema& schema);

struct EpisodeMeta {
  std::string source = "nav";          // "nav", "import", "rollout", ...
  std::string policy;                  // collection policy, if any
  std::optional<std::uint64_t> world_seed;
  std::optional<nav::WorldSettings> world_settings;
  int width = 0;
  int height = 0;
  ActionSchema schema;
};

struct Episode {
  EpisodeMeta meta;
  std::vector<Image> frames;                 // N+1
  std::vector<std::vector<float>> actions;   // N rows of schema.dimension() floats in [-1, 1]
  std::vector<nav::Pose> poses;              // N+1, or empty when unknown
  int transitions() const { return static_cast<int>(frames.size()) - 1; }
};

// Version written into episode.json and manifest.json; readers reject other versions.
constexpr int kFormatVersion = 1;
constexpr int kMaxActionDimension = 8;

// "000042.png": the name of frame `index` inside an episode's frames/ folder.
std::string frame_file_name(int index);

// Checks counts, sizes, ranges and NaNs; throws UserError naming `where` and the problem.
void check_episode(const Episode& episode, const std::string& where);
// Writes into `dir` atomically (built in a temporary sibling folder, then renamed).
void write_episode(const Episode& episode, const std::filesystem::path& dir);
// Reads and checks; throws UserError naming the file (and line) on the first problem.
Episode read_episode(const std::filesystem::path& dir);

// Reads what it can of an episode and lists every problem, one line each naming the file (a
// long run of one kind is cut to ten lines and a count). `episode` is complete only when
// `problems` is empty; `has_meta` says whether episode.json was read.
struct EpisodeCheck {
  Episode episode;
  std::vector<std::string> problems;
  bool has_meta = false;
};
EpisodeCheck check_episode_folder(const std::filesystem::path& dir);

}  // namespace dw::data
