// A saved walk: where it started (a world seed or a start image), the actions taken, the sampling
// seed and temperature, and the hash of the model that dreamed it — enough to replay it exactly.
// On disk: one JSON file; a start image is written beside it as "<name>.start.png".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nav/base/image.h"

namespace dw::viewer {

struct WalkStart {
  std::optional<std::uint64_t> world_seed;  // set: start at the world's spawn, ground truth on
  Image image;                              // used when there is no world seed
};

struct Walk {
  WalkStart start;
  std::vector<std::vector<float>> actions;  // one row per step, schema dimension each
  std::uint64_t seed = 0;
  float temperature = 0.0f;
  std::string model_hash;
};

// Atomic writes. Throws UserError when a file cannot be written.
void save_walk(const Walk& walk, const std::filesystem::path& path);
// Throws UserError naming the file (and field) when it is missing or malformed.
Walk load_walk(const std::filesystem::path& path);

}  // namespace dw::viewer
