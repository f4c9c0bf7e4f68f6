// Shared by the view map tests: a corridor of marked frames along x in world 1, a copy of the
// tiny run with it as its view map, and frame comparisons.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "model/simulator.h"
#include "model/view_map.h"
#include "tiny_run.h"

namespace dw::model::testing {

const dw::data::ActionSchema kNavigation = dw::data::ActionSchema::navigation(dw::nav::ActionLimits{});
const std::vector<float> kForward{1.0f, 0.0f, 0.0f};
const std::vector<float> kStill{0.0f, 0.0f, 0.0f};

// A frame unlike the others: a flat colour with a bright square whose place depends on `id`.
inline Image marked_frame(int id, int size = 16) {
  Image image(size, size);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const bool mark = x / 4 == id % 4 && y / 4 == (id / 4) % 4;
      std::uint8_t* p = image.at(x, y);
      p[0] = mark ? 250 : static_cast<std::uint8_t>(30 + 13 * id % 200);
      p[1] = mark ? 250 : static_cast<std::uint8_t>(60 + 7 * x);
      p[2] = static_cast<std::uint8_t>(90 + 9 * y);
    }
  }
  return image;
}

// Views along the x axis of world 1, one every forward step (0.12 cells), facing +x: frame i at x = 0.12 i.
inline ViewMap corridor(int count) {
  ViewMap map;
  for (int i = 0; i < count; ++i) map.add({1, {0.12f * static_cast<float>(i), 0.0f, 0.0f}}, marked_frame(i));
  return map;
}

// A copy of the tiny run with corridor(12) as its view map; returns the run folder.
inline std::filesystem::path corridor_run(const std::string& name) {
  const auto dir = testing::scratch_dir(name);
  std::filesystem::copy(testing::tiny_run().run, dir / "run", std::filesystem::copy_options::recursive);
  corridor(12).save(dir / "run" / kViewMapFile);
  return dir / "run";
}

// The frames of `steps` steps (seed 3) in which every start takes `action`, step by step.
inline std::vector<std::vector<Image>> walk_frames(Simulator& simulator, const std::vector<std::vector<Image>>& starts,
                                            const std::vector<float>& action, int steps) {
  simulator.reset(starts, {}, 3);
  std::vector<std::vector<Image>> frames;
  for (int t = 0; t < steps; ++t) {
    frames.push_back(simulator.step(std::vector<std::vector<float>>(starts.size(), action)));
  }
  return frames;
}

inline int max_difference(const Image& a, const Image& b) {
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) worst = std::max(worst, std::abs(a.pixels[i] - b.pixels[i]));
  return worst;
}

}  // namespace dw::model::testing
