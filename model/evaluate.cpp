#include "model/evaluate.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "datasets/window_sampler.h"
#include "model/compare_strip.h"
#include "model/perceptual.h"
#include "model/plot.h"
#include "nav/user_error.h"

namespace dw::model {

namespace {

// `count` of `total` windows, evenly spread (all of them when count is 0 or at least total).
std::vector<std::int64_t> spread_windows(std::int64_t total, std::int64_t count) {
  if (count <= 0 || count > total) count = total;
  std::vector<std::int64_t> chosen;
  for (std::int64_t k = 0; k < count; ++k) chosen.push_back(k * total / count);
  return chosen;
}

void check_compatible(const Simulator& simulator, const data::WindowEnumerator& windows,
                      const std::filesystem::path& dataset_dir, const EvalOptions& options) {
  const ModelInfo& info = simulator.info();
  if (windows.width() != info.width || windows.height() != info.height) {
    throw UserError(dataset_dir.string() + ": frames are " + std::to_string(windows.width()) + "x" +
                    std::to_string(windows.height()) + " but the model expects " +
                    std::to_string(info.width) + "x" + std::to_string(info.height));
  }
  if (windows.action_dim() != info.schema.dimension()) {
    throw UserError(dataset_dir.string() + ": actions have dimension " +
                    std::to_string(windows.action_dim()) + " but the model takes " +
                    std::to_string(info.schema.dimension()));
  }
  if (windows.size() == 0) {
    throw UserError(dataset_dir.string() + ": split '" + options.split +
                    "' has no episode of at least " +
                    std::to_string(options.context + options.horizon) + " frames");
  }
}

// Keeps the `count` best (highest mean PSNR) or worst windows seen so far.
void keep_extreme(std::vector<WindowStrip>& kept, WindowStrip candidate, size_t count, bool best) {
  kept.push_back(std::move(candidate));
  std::sort(kept.begin(), kept.end(), [best](const WindowStrip& a, const WindowStrip& b) {
    return best ? a.mean_psnr > b.mean_psnr : a.mean_psnr < b.mean_psnr;
  });
  if (kept.size() > count) kept.resize(count);
}

struct WindowScorer {
  const EvalOptions& options;
  EvalReport& report;
  std::vector<double> model_perceptual_sum;
  std::vector<double> baseline_perceptual_sum;

  void score(std::int64_t index, const std::vector<Image>& truth,
             const std::vector<Image>& predicted, const Image& last_context) {
    double psnr_sum = 0;
    for (int k = 0; k < options.horizon; ++k) {
      const FrameMetrics model = compare_frames(truth[k], predicted[k]);
      report.model.add(k, model);
      report.baseline.add(k, compare_frames(truth[k], last_context));
      psnr_sum += model.psnr;
      if (options.perceptual) {
        model_perceptual_sum[k] += options.perceptual->distance(truth[k], predicted[k]);
        baseline_perceptual_sum[k] += options.perceptual->distance(truth[k], last_context);
      }
    }
    if (options.strips <= 0) return;
    const double mean = psnr_sum / options.horizon;
    const auto count = static_cast<size_t>(options.strips);
    if (report.best.size() < count || mean > report.best.back().mean_psnr)
      keep_extreme(report.best, {index, mean, compare_strip(truth, predicted)}, count, true);
    if (report.worst.size() < count || mean < report.worst.back().mean_psnr)
      keep_extreme(report.worst, {index, mean, compare_strip(truth, predicted)}, count, false);
  }
};

// Scores the windows in `batch` (their numbers in the split: `indices`) in one batched rollout.
void run_batch(Simulator& simulator, const data::WindowBatch& batch, const std::vector<std::int64_t>& indices,
               std::uint64_t seed, WindowScorer& scorer) {
  const EvalOptions& options = scorer.options;
  const auto predicted = predict_windows(simulator, batch, options.context, options.horizon, seed);
  for (int b = 0; b < batch.batch; ++b) {
    std::vector<Image> truth;
    for (int k = 0; k < options.horizon; ++k) truth.push_back(batch.frame(b, options.context + k));
    scorer.score(indices[static_cast<size_t>(b)], truth, predicted[b], batch.frame(b, options.context - 1));
  }
}

int failure_step(const HorizonMetrics& metrics, double threshold) {
  for (int k = 0; k < metrics.horizon(); ++k) {
    if (metrics.mean(k).psnr < threshold) return k + 1;
  }
  return 0;
}

}  // namespace

std::vector<std::vector<Image>> predict_windows(Simulator& simulator, const data::WindowBatch& batch, int context,
                                                int horizon, std::uint64_t seed) {
  std::vector<std::vector<Image>> starts(batch.batch);
  std::vector<std::vector<std::vector<float>>> start_actions(batch.batch);
  for (int b = 0; b < batch.batch; ++b) {
    for (int t = 0; t < context; ++t) starts[b].push_back(batch.frame(b, t));
    for (int t = 0; t + 1 < context; ++t) start_actions[b].push_back(batch.action(b, t));
  }
  simulator.reset(starts, start_actions, seed);
  std::vector<std::vector<Image>> predicted(batch.batch);
  std::vector<std::vector<float>> step_actions(batch.batch);
  for (int k = 0; k < horizon; ++k) {
    for (int b = 0; b < batch.batch; ++b) step_actions[b] = batch.action(b, context - 1 + k);
    std::vector<Image> frames = simulator.step(step_actions);
    for (int b = 0; b < batch.batch; ++b) predicted[b].push_back(std::move(frames[b]));
  }
  return predicted;
}

EvalReport evaluate(Simulator& simulator, const std::filesystem::path& dataset_dir,
                    const EvalOptions& options, const EvalProgress& progress) {
  if (options.context < 1 || options.horizon < 1)
    throw UserError("--context and --horizon must be at least 1");
  if (options.batch < 1) throw UserError("--batch must be at least 1");
  const int window = options.context + options.horizon;
  const int stride = options.stride > 0 ? options.stride : window;
  const data::WindowEnumerator windows(dataset_dir, options.split, window, stride);
  check_compatible(simulator, windows, dataset_dir, options);
  const float previous_temperature = simulator.temperature();
  simulator.set_temperature(options.temperature);

  EvalReport report;
  report.split = options.split;
  report.context = options.context;
  report.horizon = options.horizon;
  report.failure_psnr = options.failure_psnr;
  report.model = HorizonMetrics(options.horizon);
  report.baseline = HorizonMetrics(options.horizon);
  WindowScorer scorer{options, report, std::vector<double>(options.horizon, 0.0),
                      std::vector<double>(options.horizon, 0.0)};
  const std::vector<std::int64_t> chosen = spread_windows(windows.size(), options.max_windows);
  const auto total = static_cast<std::int64_t>(chosen.size());
  for (std::int64_t first = 0; first < total; first += options.batch) {
    const std::int64_t last = std::min<std::int64_t>(first + options.batch, total);
    const std::vector<std::int64_t> indices(chosen.begin() + first, chosen.begin() + last);
    run_batch(simulator, windows.batch_of(indices), indices, options.seed + static_cast<std::uint64_t>(first), scorer);
    if (progress) progress(last, total);
  }
  simulator.set_temperature(previous_temperature);
  report.windows = total;
  report.model_failure_step = failure_step(report.model, options.failure_psnr);
  report.baseline_failure_step = failure_step(report.baseline, options.failure_psnr);
  if (options.perceptual) {
    for (int k = 0; k < options.horizon; ++k) {
      report.model_perceptual.push_back(scorer.model_perceptual_sum[k] / total);
      report.baseline_perceptual.push_back(scorer.baseline_perceptual_sum[k] / total);
    }
  }
  return report;
}

namespace {
nlohmann::json metrics_json(const HorizonMetrics& metrics, const std::vector<double>& perceptual) {
  nlohmann::json out = {{"psnr", nlohmann::json::array()},
                        {"ssim", nlohmann::json::array()},
                        {"mse", nlohmann::json::array()}};
  for (int k = 0; k < metrics.horizon(); ++k) {
    const FrameMetrics mean = metrics.mean(k);
    out["psnr"].push_back(mean.psnr);
    out["ssim"].push_back(mean.ssim);
    out["mse"].push_back(mean.mse);
  }
  if (!perceptual.empty()) out["perceptual"] = perceptual;
  return out;
}

nlohmann::json strips_json(const std::vector<WindowStrip>& strips) {
  nlohmann::json out = nlohmann::json::array();
  for (const WindowStrip& strip : strips)
    out.push_back({{"window", strip.window}, {"mean_psnr", strip.mean_psnr}});
  return out;
}
}  // namespace

std::string eval_report_json(const EvalReport& report) {
  const nlohmann::json out = {
      {"split", report.split},
      {"context", report.context},
      {"horizon", report.horizon},
      {"windows", report.windows},
      {"model", metrics_json(report.model, report.model_perceptual)},
      {"baseline", metrics_json(report.baseline, report.baseline_perceptual)},
      {"failure_psnr", report.failure_psnr},
      {"horizon_to_failure",
       {{"model", report.model_failure_step}, {"baseline", report.baseline_failure_step}}},
      {"best_windows", strips_json(report.best)},
      {"worst_windows", strips_json(report.worst)}};
  return out.dump(2);
}

std::string eval_report_table(const EvalReport& report) {
  std::string table;
  char line[200];
  std::snprintf(line, sizeof line, "split %s, context %d, %lld windows\n", report.split.c_str(),
                report.context, static_cast<long long>(report.windows));
  table += line;
  const bool has_perceptual = !report.model_perceptual.empty();
  table += " step | model PSNR  SSIM    MSE     | copy-last PSNR  SSIM    MSE     | gain dB";
  table += has_perceptual ? " | perceptual model  copy-last\n" : "\n";
  for (int k = 0; k < report.horizon; ++k) {
    const FrameMetrics m = report.model.mean(k), b = report.baseline.mean(k);
    std::snprintf(line, sizeof line, " %4d | %10.2f  %.4f  %.5f | %14.2f  %.4f  %.5f | %+7.2f",
                  k + 1, m.psnr, m.ssim, m.mse, b.psnr, b.ssim, b.mse, m.psnr - b.psnr);
    table += line;
    if (has_perceptual) {
      std::snprintf(line, sizeof line, " | %16.4f  %9.4f", report.model_perceptual[k],
                    report.baseline_perceptual[k]);
      table += line;
    }
    table += "\n";
  }
  auto failure_text = [](int step) {
    return step == 0 ? std::string("never") : "step " + std::to_string(step);
  };
  std::snprintf(line, sizeof line, "horizon to failure (PSNR < %.1f dB): model %s, copy-last %s\n",
                report.failure_psnr, failure_text(report.model_failure_step).c_str(),
                failure_text(report.baseline_failure_step).c_str());
  table += line;
  return table;
}

Image eval_report_plot(const EvalReport& report) {
  const std::array<std::uint8_t, 3> model_colour{200, 50, 40}, baseline_colour{50, 80, 200};
  PlotSeries model_psnr{"model", model_colour, {}, false};
  PlotSeries base_psnr{"copy last", baseline_colour, {}, true};
  PlotSeries model_ssim = model_psnr, base_ssim = base_psnr;
  for (int k = 0; k < report.horizon; ++k) {
    model_psnr.values.push_back(report.model.mean(k).psnr);
    base_psnr.values.push_back(report.baseline.mean(k).psnr);
    model_ssim.values.push_back(report.model.mean(k).ssim);
    base_ssim.values.push_back(report.baseline.mean(k).ssim);
  }
  const PlotPanel psnr{"PSNR (" + report.split + ")", "dB", {model_psnr, base_psnr}};
  const PlotPanel ssim{"SSIM (" + report.split + ")", "", {model_ssim, base_ssim}};
  return plot_panels({psnr, ssim}, "horizon step");
}

}  // namespace dw::model
