#include "model/validation.h"

#include <nlohmann/json.hpp>

#include "datasets/window_sampler.h"

namespace dw::model {

nlohmann::json validation_json(const EvalReport& report) {
  nlohmann::json json = {{"split", report.split}, {"windows", report.windows}, {"context", report.context},
                         {"horizon", report.horizon}};
  const auto add_series = [&](const HorizonMetrics& metrics, const std::string& prefix) {
    const nlohmann::json series = horizon_metrics_json(metrics);  // items() must not outlive it
    for (const auto& item : series.items()) json[prefix + item.key()] = item.value();
  };
  add_series(report.model, "");
  add_series(report.baseline, "baseline_");
  return json;
}

Image validation_preview(Simulator& simulator, const std::filesystem::path& dataset_dir, const std::string& split,
                         int horizon, int windows) {
  const int context = simulator.info().context;
  const data::WindowEnumerator enumerator(dataset_dir, split, context + horizon, context + horizon);
  std::vector<std::int64_t> chosen;
  const std::int64_t count = std::min<std::int64_t>(enumerator.size(), windows);
  for (std::int64_t k = 0; k < count; ++k) chosen.push_back(k * enumerator.size() / count);
  if (chosen.empty()) return Image();
  const data::WindowBatch batch = enumerator.batch_of(chosen);

  const auto predicted = predict_windows(simulator, batch, context, horizon, 0);
  std::vector<Image> cells;
  for (int b = 0; b < batch.batch; ++b) {
    for (int t = 0; t < context + horizon; ++t) cells.push_back(batch.frame(b, t));
    for (int t = 0; t < context; ++t) cells.push_back(batch.frame(b, t));
    for (const auto& frame : predicted[b]) cells.push_back(frame);
  }
  return tile_images(cells, context + horizon);
}

}  // namespace dw::model
