#include "model/evaluate.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "datasets/window_sampler.h"
#include "model/compare_strip.h"
#include "model/perceptual.h"
#include "model/plot.h"
#include "nav/base/user_error.h"

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
  check_context_fits(options.context, info);
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

  // Window `index` of the split, cut from walk `walk`.
  void score(std::int64_t index, int walk, const std::vector<Image>& truth, const std::vector<Image>& predicted,
             const Image& last_context) {
    double psnr_sum = 0;
    for (int k = 0; k < options.horizon; ++k) {
      const FrameMetrics model = compare_frames(truth[k], predicted[k]);
      const FrameMetrics baseline = compare_frames(truth[k], last_context);
      report.model.add(k, model);
      report.baseline.add(k, baseline);
      report.psnr_gain.add(k, walk, model.psnr - baseline.psnr);
      report.layout_gain.add(k, walk, model.layout_psnr - baseline.layout_psnr);
      report.sharpness.add(k, walk, model.sharpness);
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
      keep_extreme(report.best, {index, mean, strip(truth, predicted)}, count, true);
    if (report.worst.size() < count || mean < report.worst.back().mean_psnr)
      keep_extreme(report.worst, {index, mean, strip(truth, predicted)}, count, false);
  }

  // The strip's columns: every step, or the chosen ones.
  Image strip(const std::vector<Image>& truth, const std::vector<Image>& predicted) const {
    if (options.strip_steps.empty()) return compare_strip(truth, predicted);
    std::vector<Image> chosen_truth, chosen_predicted;
    for (int step : options.strip_steps) {
      if (step < 1 || step > options.horizon) continue;
      chosen_truth.push_back(truth[static_cast<size_t>(step - 1)]);
      chosen_predicted.push_back(predicted[static_cast<size_t>(step - 1)]);
    }
    return compare_strip(chosen_truth, chosen_predicted);
  }
};

// Scores the windows in `batch` (their numbers in the split: `indices`, cut from the walks
// `walks`) in one batched rollout.
void run_batch(Simulator& simulator, const data::WindowBatch& batch, const std::vector<std::int64_t>& indices,
               const std::vector<int>& walks, std::uint64_t seed, WindowScorer& scorer) {
  const EvalOptions& options = scorer.options;
  const auto predicted = predict_windows(simulator, batch, options.context, options.horizon, seed, options.samples);
  for (int b = 0; b < batch.batch; ++b) {
    std::vector<Image> truth;
    for (int k = 0; k < options.horizon; ++k) truth.push_back(batch.frame(b, options.context + k));
    // Every sample is scored, so each per-step mean is over windows and their samples.
    for (int s = 0; s < options.samples; ++s) {
      scorer.score(indices[static_cast<size_t>(b)], walks[static_cast<size_t>(b)], truth,
                   predicted[static_cast<size_t>(b * options.samples + s)],
                   batch.frame(b, options.context - 1));
    }
  }
}

void check_options(const EvalOptions& options) {
  if (options.context < 1 || options.horizon < 1) throw UserError("--context and --horizon must be at least 1");
  if (options.horizon > kMaxEvalHorizon)
    throw UserError("--horizon must be at most " + std::to_string(kMaxEvalHorizon));
  if (options.batch < 1) throw UserError("--batch must be at least 1");
  if (options.samples < 1 || options.samples > kMaxEvalSamples)
    throw UserError("--samples must be in 1.." + std::to_string(kMaxEvalSamples));
  if (options.samples > 1 && options.temperature <= 0.0f)
    throw UserError("--samples " + std::to_string(options.samples) +
                    " needs --temperature > 0 (at temperature 0 every sample is the mean rollout)");
}

int failure_step(const HorizonMetrics& metrics, double threshold) {
  for (int k = 0; k < metrics.horizon(); ++k) {
    if (metrics.mean(k).psnr < threshold) return k + 1;
  }
  return 0;
}

}  // namespace

std::vector<std::vector<Image>> predict_windows(Simulator& simulator, const data::WindowBatch& batch, int context,
                                                int horizon, std::uint64_t seed, int samples) {
  std::vector<std::vector<Image>> starts;
  std::vector<std::vector<std::vector<float>>> start_actions, actions;
  for (int b = 0; b < batch.batch; ++b) {
    std::vector<Image> frames;
    std::vector<std::vector<float>> before, after;
    for (int t = 0; t < context; ++t) frames.push_back(batch.frame(b, t));
    for (int t = 0; t + 1 < context; ++t) before.push_back(batch.action(b, t));
    for (int k = 0; k < horizon; ++k) after.push_back(batch.action(b, context - 1 + k));
    for (int s = 0; s < samples; ++s) {  // each sample is its own trajectory with its own noise
      starts.push_back(frames);
      start_actions.push_back(before);
      actions.push_back(after);
    }
  }
  return rollout(simulator, starts, start_actions, actions, seed);
}

EvalReport evaluate(Simulator& simulator, const std::filesystem::path& dataset_dir,
                    const EvalOptions& options, const EvalProgress& progress) {
  check_options(options);
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
  report.temperature = options.temperature;
  report.samples = options.samples;
  report.failure_psnr = options.failure_psnr;
  report.model = HorizonMetrics(options.horizon);
  report.baseline = HorizonMetrics(options.horizon);
  report.psnr_gain = report.layout_gain = report.sharpness = ClusteredStepMeans(options.horizon);
  WindowScorer scorer{options, report, std::vector<double>(options.horizon, 0.0),
                      std::vector<double>(options.horizon, 0.0)};
  const std::vector<std::int64_t> chosen = spread_windows(windows.size(), options.max_windows);
  const auto total = static_cast<std::int64_t>(chosen.size());
  for (std::int64_t first = 0; first < total; first += options.batch) {
    const std::int64_t last = std::min<std::int64_t>(first + options.batch, total);
    const std::vector<std::int64_t> indices(chosen.begin() + first, chosen.begin() + last);
    std::vector<int> walks;
    for (std::int64_t index : indices) walks.push_back(windows.episode_of(index));
    run_batch(simulator, windows.batch_of(indices), indices, walks, options.seed + static_cast<std::uint64_t>(first),
              scorer);
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

nlohmann::json horizon_metrics_json(const HorizonMetrics& metrics) {
  nlohmann::json out = {{"psnr", nlohmann::json::array()},
                        {"ssim", nlohmann::json::array()},
                        {"mse", nlohmann::json::array()},
                        {"layout_psnr", nlohmann::json::array()},
                        {"sharpness", nlohmann::json::array()}};
  for (int k = 0; k < metrics.horizon(); ++k) {
    const FrameMetrics mean = metrics.mean(k);
    out["psnr"].push_back(mean.psnr);
    out["ssim"].push_back(mean.ssim);
    out["mse"].push_back(mean.mse);
    out["layout_psnr"].push_back(mean.layout_psnr);
    out["sharpness"].push_back(mean.sharpness);
  }
  return out;
}

namespace {
nlohmann::json metrics_json(const HorizonMetrics& metrics, const std::vector<double>& perceptual) {
  nlohmann::json out = horizon_metrics_json(metrics);
  if (!perceptual.empty()) out["perceptual"] = perceptual;
  return out;
}

nlohmann::json standard_errors_json(const EvalReport& report) {
  const auto errors = [](const ClusteredStepMeans& means) {
    nlohmann::json out = nlohmann::json::array();
    for (int k = 0; k < means.horizon(); ++k) out.push_back(means.standard_error(k));  // NaN is written as null
    return out;
  };
  return {{"unit", "walk"},
          {"walks", report.sharpness.walks()},
          {"psnr_gain", errors(report.psnr_gain)},
          {"layout_psnr_gain", errors(report.layout_gain)},
          {"sharpness", errors(report.sharpness)}};
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
      {"mode", report.temperature > 0.0f ? "sampled" : "mean"},
      {"samples", report.samples},
      {"temperature", report.temperature},
      {"model", metrics_json(report.model, report.model_perceptual)},
      {"baseline", metrics_json(report.baseline, report.baseline_perceptual)},
      {"standard_errors", standard_errors_json(report)},
      {"failure_psnr", report.failure_psnr},
      {"horizon_to_failure",
       {{"model", report.model_failure_step}, {"baseline", report.baseline_failure_step}}},
      {"best_windows", strips_json(report.best)},
      {"worst_windows", strips_json(report.worst)}};
  return out.dump(2);
}

namespace {
// "the lowest over the horizon" of each figure a target is set on, with its standard error:
// whether a figure under a target is a miss or within the noise of a few walks.
std::string lowest_steps_line(const EvalReport& report) {
  const auto lowest = [](const ClusteredStepMeans& means, const char* name, bool decibels) {
    int at = 0;
    for (int k = 1; k < means.horizon(); ++k) {
      if (means.mean(k) < means.mean(at)) at = k;
    }
    char text[120];
    std::snprintf(text, sizeof text, decibels ? "%s %+.2f +- %.2f dB (step %d)" : "%s %.3f +- %.3f (step %d)", name,
                  means.mean(at), means.standard_error(at), at + 1);
    return std::string(text);
  };
  return "lowest over the horizon, +- standard error (" + std::to_string(report.sharpness.walks()) +
         " walks as the unit): " + lowest(report.sharpness, "sharpness", false) + ", " +
         lowest(report.layout_gain, "layout gain", true) + ", " + lowest(report.psnr_gain, "PSNR gain", true) + "\n";
}
}  // namespace

std::string eval_report_table(const EvalReport& report) {
  std::string table;
  char line[240];
  std::string mode = "mean rollouts";
  if (report.temperature > 0.0f) {
    std::snprintf(line, sizeof line, "sampled at temperature %.2f, %d sample(s) per window", report.temperature,
                  report.samples);
    mode = line;
  }
  std::snprintf(line, sizeof line, "split %s, context %d, %lld windows, %s\n", report.split.c_str(), report.context,
                static_cast<long long>(report.windows), mode.c_str());
  table += line;
  const bool has_perceptual = !report.model_perceptual.empty();
  table += " step | model PSNR  SSIM    layout  sharp | copy-last PSNR  SSIM    layout  sharp | gain dB  layout  (se)";
  table += has_perceptual ? " | perceptual model  copy-last\n" : "\n";
  for (int k = 0; k < report.horizon; ++k) {
    const FrameMetrics m = report.model.mean(k), b = report.baseline.mean(k);
    std::snprintf(line, sizeof line,
                  " %4d | %10.2f  %.4f  %6.2f  %5.2f | %14.2f  %.4f  %6.2f  %5.2f | %+7.2f  %+6.2f  %4.2f", k + 1,
                  m.psnr, m.ssim, m.layout_psnr, m.sharpness, b.psnr, b.ssim, b.layout_psnr, b.sharpness,
                  m.psnr - b.psnr, m.layout_psnr - b.layout_psnr, report.layout_gain.standard_error(k));
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
  table += lowest_steps_line(report);
  return table;
}

Image eval_report_plot(const EvalReport& report) {
  const std::array<std::uint8_t, 3> model_colour{200, 50, 40}, baseline_colour{50, 80, 200};
  const auto panel = [&](const std::string& title, const std::string& unit, double FrameMetrics::*field) {
    PlotSeries model{"model", model_colour, {}, false};
    PlotSeries baseline{"copy last", baseline_colour, {}, true};
    for (int k = 0; k < report.horizon; ++k) {
      model.values.push_back(report.model.mean(k).*field);
      baseline.values.push_back(report.baseline.mean(k).*field);
    }
    return PlotPanel{title + " (" + report.split + ")", unit, {model, baseline}, std::nullopt, ""};
  };
  PlotPanel psnr = panel("PSNR", "dB", &FrameMetrics::psnr);
  psnr.threshold = report.failure_psnr;  // where "horizon to failure" is read off
  char label[64];
  std::snprintf(label, sizeof label, "failure: %.1f dB", report.failure_psnr);
  psnr.threshold_label = label;
  return plot_panels({psnr, panel("SSIM", "", &FrameMetrics::ssim),
                      panel("layout PSNR", "dB", &FrameMetrics::layout_psnr),
                      panel("sharpness", "", &FrameMetrics::sharpness)},
                     "horizon step");
}

}  // namespace dw::model
