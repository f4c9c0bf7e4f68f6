// Shared helpers for the model tests: scratch folders, a tiny config (16x16 frames, a few
// channels) and a tiny dataset written through the real episode/manifest writers.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>


#include "datasets/dataset.h"
#include "datasets/episode.h"
#include "model/config.h"
#include "tests/scratch.h"

namespace dw::model::testing {

// Per process: CTest runs the test cases of one executable in parallel processes, and shared
// fixtures (a tiny trained run) must not be wiped by a sibling process.
inline std::filesystem::path scratch_dir(const std::string& name) {
  return dw::test::fresh_scratch_dir("model", name, dw::test::Scratch::per_process);
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A whole file's bytes (empty when it cannot be read).
inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline const char* tiny_yaml() {
  return "name: tiny\n"
         "model:\n  width: 16\n  height: 16\n  context: 2\n  encoder_channels: [8]\n"
         "  latent_channels: 4\n  state_channels: 8\n  hidden_channels: 8\n  decoder:\n    type: warp\n"
         "train:\n  batch: 2\n  horizon: 3\n  learning_rate: 0.003\n  eval_every: 5\n  eval_windows: 4\n"
         "  threads: 1\n  keep_checkpoints: 2\n";
}

inline Config tiny_config() {
  Config config;
  config.name = "tiny";
  config.model.width = 16;
  config.model.height = 16;
  config.model.context = 2;
  config.model.encoder_channels = {8};
  config.model.latent_channels = 4;
  config.model.state_channels = 8;
  config.model.hidden_channels = 8;
  config.model.decoder.type = DecoderType::warp;  // as in the shipped configs
  config.train.batch = 2;
  config.train.horizon = 3;
  return config;
}

// A square that moves with the action: frame t of episode `id` depends on (id, t).
inline Image moving_square(int id, int t, int size = 16) {
  Image image(size, size);
  const int x0 = (id * 3 + t) % (size - 4);
  const int y0 = (id * 5 + t / 2) % (size - 4);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const bool inside = x >= x0 && x < x0 + 4 && y >= y0 && y < y0 + 4;
      std::uint8_t* p = image.at(x, y);
      p[0] = inside ? 230 : static_cast<std::uint8_t>(20 + 4 * x);
      p[1] = inside ? 60 : static_cast<std::uint8_t>(20 + 4 * y);
      p[2] = static_cast<std::uint8_t>(100 + 10 * id);
    }
  }
  return image;
}

inline data::Episode tiny_episode(int id, int frames, int dimension) {
  data::Episode episode;
  episode.meta.source = "test";
  episode.meta.width = 16;
  episode.meta.height = 16;
  if (dimension == 3) episode.meta.schema = data::ActionSchema::navigation(nav::ActionLimits{});
  for (int t = 0; t < frames; ++t) episode.frames.push_back(moving_square(id, t));
  for (int t = 0; dimension > 0 && t + 1 < frames; ++t) {
    episode.actions.push_back({0.5f, -0.25f * static_cast<float>(id % 3), 0.1f * static_cast<float>(t % 5)});
  }
  return episode;
}

// train: 4 episodes, val: 1, test: 1; each of `frames` frames at 16x16 with 3-d actions.
inline std::filesystem::path write_tiny_dataset(const std::filesystem::path& dir, int frames = 14) {
  data::Manifest manifest;
  manifest.width = 16;
  manifest.height = 16;
  manifest.schema = data::ActionSchema::navigation(nav::ActionLimits{});
  int id = 0;
  const std::pair<const char*, int> splits[] = {{"train", 4}, {"val", 1}, {"test", 1}};
  for (const auto& [split, count] : splits) {
    for (int k = 0; k < count; ++k, ++id) {
      const std::string name = std::string(split) + "-" + std::to_string(k);
      data::write_episode(tiny_episode(id, frames, 3), dir / name);
      manifest.splits[split].push_back(name);
    }
  }
  data::write_manifest(manifest, dir);
  return dir;
}

}  // namespace dw::model::testing
