// Where a headless rollout starts and which actions drive it: start images, a dataset episode
// (DATA:SPLIT:INDEX) or the ground-truth world driven by a nav policy, plus an actions CSV.
// Resolves them into per-trajectory context frames, actions and (when known) the true frames.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/episode.h"
#include "model/simulator.h"
#include "nav/base/image.h"

namespace dw::model {

struct RolloutSource {
  std::vector<std::filesystem::path> start_images;  // 1..context images
  std::string start_episode;                        // "DATA:SPLIT:INDEX"
  std::filesystem::path actions_csv;                // header = action names, one row per step
  std::string policy;                               // nav policy name
  std::uint64_t world_seed = 1;                     // world the policy walks in
  int steps = 32;
  int trajectories = 1;                             // distinct starts / policy seeds
  std::uint64_t seed = 0;
};

struct Trajectory {
  std::vector<Image> context;                       // 1..C frames
  std::vector<std::vector<float>> context_actions;  // between the context frames
  std::vector<std::vector<float>> actions;          // one per predicted step
  std::vector<Image> truth;                         // true future frames, or empty
  std::string label;                                // where it came from, for summaries
};

// Reads an actions CSV whose header names exactly the schema's columns (any order); each value a
// finite number in [-1, 1]. Throws UserError naming the file and line.
std::vector<std::vector<float>> read_actions_csv(const std::filesystem::path& path,
                                                 const data::ActionSchema& schema);

// Loads an image for the model: another size is resized to the model's with a warning on stderr.
Image load_model_image(const std::filesystem::path& path, const ModelInfo& info);

// Resolves `source` for a model described by `info`. Start images of another size are resized
// with a warning on stderr. Throws UserError for anything missing, malformed or mismatched.
std::vector<Trajectory> resolve_rollout_source(const RolloutSource& source, const ModelInfo& info);

}  // namespace dw::model
