// `dreamwalk eval`: open-loop evaluation by the protocol in DESIGN.md, with everything the command
// reports — per-horizon PSNR, SSIM, MSE, layout PSNR and sharpness (and optionally a perceptual
// metric) for the model and the copy-last-context-frame baseline, mean or sampled rollouts,
// horizon to failure, best/worst window strips, JSON, a table and a plot. Torch-free: it drives
// the model through the Simulator.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "datasets/window_sampler.h"
#include "model/metrics.h"
#include "model/simulator.h"
#include "nav/base/image.h"

namespace dw::model {

class PerceptualMetric;

constexpr int kMaxEvalHorizon = 256;
constexpr int kMaxEvalSamples = 64;

struct EvalOptions {
  std::string split = "test";
  int context = 4;
  int horizon = 16;                // 1..kMaxEvalHorizon
  int stride = 0;                  // window start stride; 0 = context + horizon (disjoint windows)
  int batch = 32;                  // windows per forward pass
  std::int64_t max_windows = 0;    // 0 = every window of the split; else this many, evenly spread
  double failure_psnr = 20.0;      // "horizon to failure": first step whose mean PSNR is below this
  float temperature = 0.0f;        // 0 = the mean prediction
  int samples = 1;                 // sampled rollouts per window (needs temperature > 0 when > 1)
  std::uint64_t seed = 0;
  int strips = 1;                  // best and worst windows kept as comparison strips
  std::vector<int> strip_steps;    // 1-based steps shown in the strips; empty = every step
  PerceptualMetric* perceptual = nullptr;  // optional, e.g. an exported LPIPS
};

struct WindowStrip {
  std::int64_t window = 0;
  double mean_psnr = 0.0;
  Image strip;  // truth | prediction | error heatmap over the horizon
};

struct EvalReport {
  std::string split;
  int context = 0;
  int horizon = 0;
  std::int64_t windows = 0;
  float temperature = 0.0f;
  int samples = 1;
  HorizonMetrics model;
  HorizonMetrics baseline;
  // The same means again with their standard errors, the walk as the unit (ClusteredStepMeans):
  // the model's PSNR and layout PSNR minus copy-last's, and the model's sharpness. Whether a
  // figure a little under a target is a miss or the noise of a few walks.
  ClusteredStepMeans psnr_gain;
  ClusteredStepMeans layout_gain;
  ClusteredStepMeans sharpness;
  std::vector<double> model_perceptual;     // per step; empty without a perceptual metric
  std::vector<double> baseline_perceptual;
  int model_failure_step = 0;     // 1-based; 0 = never below failure_psnr within the horizon
  int baseline_failure_step = 0;
  double failure_psnr = 0.0;
  std::vector<WindowStrip> best;
  std::vector<WindowStrip> worst;
};

// Observes the first `context` frames of each window of `batch` (with the actions between them)
// and predicts `horizon` frames from the following actions alone, `samples` times per window:
// [window * samples + sample][step].
std::vector<std::vector<Image>> predict_windows(Simulator& simulator, const data::WindowBatch& batch, int context,
                                                int horizon, std::uint64_t seed, int samples = 1);

using EvalProgress = std::function<void(std::int64_t windows_done, std::int64_t windows_total)>;

// Throws UserError for an unknown split, a dataset whose frame size or action dimension does not
// match the model, a context longer than the model's, a split with no window long enough, or
// options out of range.
EvalReport evaluate(Simulator& simulator, const std::filesystem::path& dataset_dir,
                    const EvalOptions& options, const EvalProgress& progress = {});

// {"split","context","horizon","windows","mode":"mean"|"sampled","samples","temperature",
//  "model":{"psnr":[..],"ssim":[..],"mse":[..],"layout_psnr":[..],"sharpness":[..]},"baseline":{..},
//  "failure_psnr", "horizon_to_failure":{"model","baseline"}} (+ "perceptual" arrays when present).
std::string eval_report_json(const EvalReport& report);
// {"psnr":[..],"ssim":[..],"mse":[..],"layout_psnr":[..],"sharpness":[..]}: per-step means, as the
// report's JSON and the trainer's metrics.jsonl write them.
nlohmann::json horizon_metrics_json(const HorizonMetrics& metrics);
// A fixed-width table, one row per horizon step.
std::string eval_report_table(const EvalReport& report);
// PSNR, SSIM, layout PSNR and sharpness vs horizon, model and baseline.
Image eval_report_plot(const EvalReport& report);

}  // namespace dw::model
