#include "model/compare_strip.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "model/plot.h"
#include "nav/base/user_error.h"

namespace dw::model {

Image error_heatmap(const Image& truth, const Image& prediction, float full_scale) {
  if (!truth.same_size(prediction)) throw UserError("error heatmap: frames differ in size");
  Image heat(truth.width, truth.height);
  for (size_t p = 0; p < heat.pixels.size(); p += 3) {
    float error = 0;
    for (int c = 0; c < 3; ++c) error += std::abs(truth.pixels[p + c] - prediction.pixels[p + c]);
    // 0 -> black, 1/3 -> red, 2/3 -> yellow, 1 -> white.
    const float t = std::clamp(error / (3 * 255.0f) / full_scale, 0.0f, 1.0f) * 3.0f;
    heat.pixels[p + 0] = static_cast<std::uint8_t>(255 * std::clamp(t, 0.0f, 1.0f));
    heat.pixels[p + 1] = static_cast<std::uint8_t>(255 * std::clamp(t - 1.0f, 0.0f, 1.0f));
    heat.pixels[p + 2] = static_cast<std::uint8_t>(255 * std::clamp(t - 2.0f, 0.0f, 1.0f));
  }
  return heat;
}

Image compare_strip(const std::vector<Image>& truth, const std::vector<Image>& prediction) {
  if (truth.size() != prediction.size()) throw UserError("compare strip: frame counts differ");
  std::vector<Image> cells;
  cells.reserve(truth.size() * 3);
  for (const Image& frame : truth) cells.push_back(frame);
  for (const Image& frame : prediction) cells.push_back(frame);
  for (size_t i = 0; i < truth.size(); ++i) cells.push_back(error_heatmap(truth[i], prediction[i]));
  return tile_images(cells, static_cast<int>(std::max<size_t>(truth.size(), 1)));
}

Image labelled_compare_strip(const std::vector<Image>& truth, const std::vector<Image>& prediction,
                             const std::vector<int>& steps) {
  if (steps.size() != truth.size()) throw UserError("compare strip: one step number per column is needed");
  const Image strip = compare_strip(truth, prediction);
  if (truth.empty()) return strip;
  constexpr std::array<std::uint8_t, 3> kText{235, 235, 235};
  const char* rows[] = {"truth", "dream", "error"};
  const int cell_width = truth.front().width, cell_height = truth.front().height;
  const int left = label_width("dream") + 10, top = 14;
  Image labelled(strip.width + left, strip.height + top);
  std::fill(labelled.pixels.begin(), labelled.pixels.end(), std::uint8_t{24});
  for (int y = 0; y < strip.height; ++y) {
    std::copy(strip.at(0, y), strip.at(0, y) + 3 * strip.width, labelled.at(left, y + top));
  }
  for (int r = 0; r < 3; ++r) draw_label(labelled, 4, top + r * cell_height + cell_height / 2 - 4, rows[r], kText);
  for (size_t c = 0; c < steps.size(); ++c) {
    const std::string text = std::to_string(steps[c]);
    const int x = left + static_cast<int>(c) * cell_width + (cell_width - label_width(text)) / 2;
    draw_label(labelled, x, 3, text, kText);
  }
  return labelled;
}

Image compare_frame(const Image& truth, const Image& prediction) {
  return tile_images({truth, prediction, error_heatmap(truth, prediction)}, 3);
}

}  // namespace dw::model
