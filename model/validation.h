// What the trainer records at each checkpoint: the val split scored by evaluate() (the protocol of
// DESIGN.md) as one flat JSON line for metrics.jsonl, and a preview image. Torch-free.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "model/evaluate.h"
#include "model/simulator.h"

namespace dw::model {

// {"split", "windows", "context", "horizon", "psnr": [...], "ssim": [...], "mse": [...],
//  "layout_psnr": [...], "sharpness": [...], "baseline_psnr": [...], ... (the same with "baseline_")}
nlohmann::json validation_json(const EvalReport& report);

// Rows of truth and prediction (context frames, then the horizon) for `windows` windows of a
// split, evenly spread.
Image validation_preview(Simulator& simulator, const std::filesystem::path& dataset_dir, const std::string& split,
                         int horizon, int windows);

}  // namespace dw::model
