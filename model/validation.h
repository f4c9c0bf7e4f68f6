// The trainer's validation, by the evaluation protocol of DESIGN.md: C true frames and the actions between them,
// then H frames predicted from actions alone, scored per horizon step against the truth and
// against the copy-last-context-frame baseline. Works on any Simulator; torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "model/metrics.h"
#include "model/simulator.h"

namespace dw::model {

struct ValidationOptions {
  std::string split = "val";
  int context = 0;          // 0 = the model's context
  int horizon = 16;
  int max_windows = 0;      // 0 = every window; otherwise evenly spread over the split
  int stride = 0;           // window start stride; 0 = context + horizon (no overlap)
  int batch = 32;           // trajectories per batched rollout
  std::uint64_t seed = 0;
  float temperature = 0.0f;  // 0 = mean prediction
};

struct ValidationResult {
  std::string split;
  int context = 0;
  std::int64_t windows = 0;
  HorizonMetrics model;
  HorizonMetrics baseline;  // copy-last-context-frame
};

// Throws UserError when the split is missing, too short for one window, or of another frame size.
ValidationResult validate_open_loop(Simulator& simulator, const std::filesystem::path& dataset_dir, const ValidationOptions& options);

// {"split", "windows", "context", "horizon", "psnr": [...], "ssim": [...], "mse": [...],
//  "baseline_psnr": [...], "baseline_ssim": [...], "baseline_mse": [...]}
void to_json(nlohmann::json& json, const ValidationResult& result);

// Rows of truth and prediction (context frames, then the horizon) for `windows` windows of a split.
Image validation_preview(Simulator& simulator, const std::filesystem::path& dataset_dir, const std::string& split,
                    int horizon, int windows);

}  // namespace dw::model
