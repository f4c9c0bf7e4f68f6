#include "model/compare_strip.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "nav/user_error.h"

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

Image compare_frame(const Image& truth, const Image& prediction) {
  return tile_images({truth, prediction, error_heatmap(truth, prediction)}, 3);
}

}  // namespace dw::model
