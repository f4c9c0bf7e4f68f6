// Shared helpers for the datasets tests: scratch folders and synthetic episodes whose pixels and
// actions encode (episode id, frame index), so a test can tell exactly where a window came from.
#pragma once

#include <filesystem>
#include <string>

#include "datasets/dataset.h"
#include "datasets/episode.h"
#include "tests/scratch.h"

namespace dw::data::testing {

inline std::filesystem::path scratch_dir(const std::string& name) {
  return dw::test::fresh_scratch_dir("datasets", name);
}

// Pixel (0,0) holds id, frame & 255, frame >> 8; the rest is a pattern that varies per pixel.
inline Image encoded_frame(int id, int frame, int size) {
  Image image(size, size);
  for (std::size_t i = 0; i < image.pixels.size(); ++i)
    image.pixels[i] = static_cast<std::uint8_t>(i * 7 + static_cast<std::size_t>(id) * 31 + frame);
  image.pixels[0] = static_cast<std::uint8_t>(id);
  image.pixels[1] = static_cast<std::uint8_t>(frame & 255);
  image.pixels[2] = static_cast<std::uint8_t>(frame >> 8);
  return image;
}

// Action t of episode id: value d is a function of (id, t, d), always inside [-1, 1].
inline float encoded_action(int id, int t, int d) {
  return static_cast<float>((id * 37 + t * 11 + d * 5) % 200 - 100) / 100.0f;
}

inline Episode encoded_episode(int id, int frame_count, int size = 8, int dimension = 3) {
  Episode episode;
  episode.meta.source = "test";
  episode.meta.policy = "none";
  episode.meta.width = size;
  episode.meta.height = size;
  if (dimension == 3) {
    episode.meta.schema = ActionSchema::navigation(nav::ActionLimits{});
    episode.meta.world_seed = 1000u + static_cast<unsigned>(id);
    episode.meta.world_settings = nav::WorldSettings{};
  } else {
    for (int d = 0; d < dimension; ++d) {
      episode.meta.schema.names.push_back("a" + std::to_string(d));
      episode.meta.schema.limits.push_back(0.5f + static_cast<float>(d));
    }
  }
  for (int f = 0; f < frame_count; ++f) episode.frames.push_back(encoded_frame(id, f, size));
  for (int t = 0; dimension > 0 && t + 1 < frame_count; ++t) {
    std::vector<float> row;
    for (int d = 0; d < dimension; ++d) row.push_back(encoded_action(id, t, d));
    episode.actions.push_back(row);
  }
  for (int f = 0; dimension == 3 && f < frame_count; ++f)
    episode.poses.push_back({0.1f * static_cast<float>(f), 2.5f + 0.01f * static_cast<float>(id), 0.3f * f});
  return episode;
}

// A dataset folder of encoded episodes: episode k of split s is named "<split>-<k>" with id given
// by its order of creation. `frame_counts[i]` is the length of the i-th train episode.
inline Manifest write_encoded_dataset(const std::filesystem::path& dir, const std::vector<int>& train_lengths,
                                      int val_count = 1, int size = 8) {
  Manifest manifest;
  manifest.width = size;
  manifest.height = size;
  manifest.schema = ActionSchema::navigation(nav::ActionLimits{});
  int id = 0;
  for (int length : train_lengths) {
    const std::string name = "train-" + std::to_string(id);
    write_episode(encoded_episode(id++, length, size), dir / name);
    manifest.splits["train"].push_back(name);
  }
  for (int v = 0; v < val_count; ++v) {
    const std::string name = "val-" + std::to_string(id);
    write_episode(encoded_episode(id++, 6, size), dir / name);
    manifest.splits["val"].push_back(name);
  }
  write_manifest(manifest, dir);
  return manifest;
}

}  // namespace dw::data::testing
