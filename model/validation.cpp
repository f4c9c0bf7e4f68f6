#include "model/validation.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "datasets/window_sampler.h"
#include "nav/user_error.h"

namespace dw::model {
namespace {

Image frame_of(const data::WindowBatch& batch, int b, int t) {
  Image image(batch.width, batch.height);
  const size_t bytes = image.pixels.size();
  std::memcpy(image.pixels.data(), batch.frames.data() + (static_cast<size_t>(b) * batch.time + t) * bytes, bytes);
  return image;
}

std::vector<float> action_of(const data::WindowBatch& batch, int b, int t) {
  const size_t dim = static_cast<size_t>(batch.action_dim);
  const float* row = batch.actions.data() + (static_cast<size_t>(b) * (batch.time - 1) + t) * dim;
  return std::vector<float>(row, row + dim);
}

struct Trajectories {
  std::vector<std::vector<Image>> starts;
  std::vector<std::vector<std::vector<float>>> start_actions;
  std::vector<std::vector<std::vector<float>>> actions;
  std::vector<std::vector<Image>> truth;
};

void append_window(const data::WindowBatch& window, int context, Trajectories& out) {
  std::vector<Image> starts, truth;
  std::vector<std::vector<float>> start_actions, actions;
  for (int t = 0; t < window.time; ++t) (t < context ? starts : truth).push_back(frame_of(window, 0, t));
  for (int t = 0; t + 1 < window.time; ++t) (t + 1 < context ? start_actions : actions).push_back(action_of(window, 0, t));
  out.starts.push_back(std::move(starts));
  out.start_actions.push_back(std::move(start_actions));
  out.actions.push_back(std::move(actions));
  out.truth.push_back(std::move(truth));
}

// Runs the batched open-loop prediction of the gathered windows: predictions[b][h].
std::vector<std::vector<Image>> predict(Simulator& simulator, const Trajectories& batch, std::uint64_t seed) {
  simulator.reset(batch.starts, batch.start_actions, seed);
  const size_t count = batch.starts.size();
  const size_t horizon = batch.truth.front().size();
  std::vector<std::vector<Image>> predictions(count);
  std::vector<std::vector<float>> step_actions(count);
  for (size_t h = 0; h < horizon; ++h) {
    for (size_t b = 0; b < count; ++b) step_actions[b] = batch.actions[b][h];
    auto frames = simulator.step(step_actions);
    for (size_t b = 0; b < count; ++b) predictions[b].push_back(std::move(frames[b]));
  }
  return predictions;
}

std::vector<std::int64_t> chosen_windows(std::int64_t total, int max_windows) {
  std::vector<std::int64_t> chosen;
  const std::int64_t count = max_windows > 0 ? std::min<std::int64_t>(total, max_windows) : total;
  for (std::int64_t k = 0; k < count; ++k) chosen.push_back(k * total / count);
  return chosen;
}

void check_window(const data::WindowBatch& window, const ModelInfo& info, const std::filesystem::path& dir) {
  if (window.width != info.width || window.height != info.height) {
    throw UserError(dir.string() + ": frames are " + std::to_string(window.width) + "x" +
                    std::to_string(window.height) + " but the model was trained on " + std::to_string(info.width) +
                    "x" + std::to_string(info.height));
  }
  if (window.action_dim != info.schema.dimension()) {
    throw UserError(dir.string() + ": actions have dimension " + std::to_string(window.action_dim) +
                    " but the model expects " + std::to_string(info.schema.dimension()));
  }
}

}  // namespace

ValidationResult validate_open_loop(Simulator& simulator, const std::filesystem::path& dataset_dir, const ValidationOptions& options) {
  if (options.horizon < 1) throw UserError("--horizon must be at least 1");
  ValidationResult result;
  result.split = options.split;
  result.context = options.context > 0 ? options.context : simulator.info().context;
  result.model = HorizonMetrics(options.horizon);
  result.baseline = HorizonMetrics(options.horizon);
  const int window = result.context + options.horizon;
  const data::WindowEnumerator windows(dataset_dir, options.split, window,
                                       options.stride > 0 ? options.stride : window);
  if (windows.size() == 0) {
    throw UserError(dataset_dir.string() + ": split '" + options.split + "' has no episode of " +
                    std::to_string(window) + " frames");
  }
  const auto chosen = chosen_windows(windows.size(), options.max_windows);
  for (size_t first = 0; first < chosen.size(); first += static_cast<size_t>(std::max(options.batch, 1))) {
    Trajectories batch;
    for (size_t i = first; i < std::min(chosen.size(), first + std::max(options.batch, 1)); ++i) {
      const data::WindowBatch one = windows.batch(chosen[i], 1);
      check_window(one, simulator.info(), dataset_dir);
      append_window(one, result.context, batch);
    }
    const auto predictions = predict(simulator, batch, options.seed + first);
    for (size_t b = 0; b < predictions.size(); ++b) {
      for (int h = 0; h < options.horizon; ++h) {
        result.model.add(h, compare_frames(predictions[b][h], batch.truth[b][h]));
        result.baseline.add(h, compare_frames(batch.starts[b].back(), batch.truth[b][h]));
      }
    }
    result.windows += static_cast<std::int64_t>(predictions.size());
  }
  return result;
}

void to_json(nlohmann::json& json, const ValidationResult& result) {
  json = {{"split", result.split}, {"windows", result.windows}, {"context", result.context},
          {"horizon", result.model.horizon()}};
  const auto series = [&](const HorizonMetrics& metrics, const std::string& prefix) {
    std::vector<double> psnr, ssim, mse;
    for (int h = 0; h < metrics.horizon(); ++h) {
      psnr.push_back(metrics.mean(h).psnr);
      ssim.push_back(metrics.mean(h).ssim);
      mse.push_back(metrics.mean(h).mse);
    }
    json[prefix + "psnr"] = psnr;
    json[prefix + "ssim"] = ssim;
    json[prefix + "mse"] = mse;
  };
  series(result.model, "");
  series(result.baseline, "baseline_");
}

Image validation_preview(Simulator& simulator, const std::filesystem::path& dataset_dir, const std::string& split,
                    int horizon, int windows) {
  const int context = simulator.info().context;
  const data::WindowEnumerator enumerator(dataset_dir, split, context + horizon, context + horizon);
  Trajectories batch;
  for (std::int64_t index : chosen_windows(enumerator.size(), windows)) {
    const data::WindowBatch one = enumerator.batch(index, 1);
    check_window(one, simulator.info(), dataset_dir);
    append_window(one, context, batch);
  }
  if (batch.starts.empty()) return Image();
  const auto predictions = predict(simulator, batch, 0);
  std::vector<Image> cells;
  for (size_t b = 0; b < predictions.size(); ++b) {
    for (const auto& frame : batch.starts[b]) cells.push_back(frame);
    for (const auto& frame : batch.truth[b]) cells.push_back(frame);
    for (const auto& frame : batch.starts[b]) cells.push_back(frame);
    for (const auto& frame : predictions[b]) cells.push_back(frame);
  }
  return tile_images(cells, context + horizon);
}

}  // namespace dw::model
