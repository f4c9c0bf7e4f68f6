// `dreamwalk rollout` as a library call: resolves the start and actions, rolls out every
// trajectory (batch x samples) in one forward pass per step, and writes PNG frames, an animated
// GIF, an MP4 (when FFmpeg is available), comparison strips, or a whole synthetic dataset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "model/rollout_inputs.h"
#include "model/simulator.h"

namespace dw::model {

struct RolloutJob {
  RolloutSource source;
  int samples = 1;             // stochastic futures per start
  float temperature = 0.0f;    // 0 = mean rollout
  int scale = 4;               // nearest-neighbour upsampling of GIF/MP4 for viewing
  int fps = 10;
  bool compare = false;        // truth | prediction | error strips and GIF (needs a known truth)
  bool as_dataset = false;     // write an episode-format dataset of dreams instead of media
  bool force = false;          // replace an existing non-empty output folder
  std::filesystem::path out;
};

struct RolloutSummary {
  int trajectories = 0;
  int steps = 0;
  std::vector<std::string> files;            // written, relative to `out`
  std::vector<double> psnr_per_step;         // mean over trajectories with a truth; else empty
};

// Everything is written into a temporary sibling folder and renamed to `out` at the end, so a
// failed or killed rollout never leaves a half-written output behind.
RolloutSummary run_rollout_job(Simulator& simulator, const RolloutJob& job,
                               const RolloutProgress& progress = {});

}  // namespace dw::model
