#include "model/metrics.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "nav/base/user_error.h"

namespace dw::model {
namespace {

constexpr double kC1 = 0.01 * 0.01;  // (K1 * data range)^2
constexpr double kC2 = 0.03 * 0.03;  // (K2 * data range)^2

std::vector<double> gaussian_window(int size) {
  std::vector<double> weights(size);
  double total = 0.0;
  for (int i = 0; i < size; ++i) {
    const double x = i - (size - 1) / 2.0;
    weights[i] = std::exp(-x * x / (2.0 * 1.5 * 1.5));
    total += weights[i];
  }
  for (double& w : weights) w /= total;
  return weights;
}

// "Valid" separable filtering (no padding), as in the reference SSIM implementation.
std::vector<double> filter(const std::vector<double>& image, int width, int height,
                           const std::vector<double>& window) {
  const int size = static_cast<int>(window.size());
  const int out_w = width - size + 1;
  const int out_h = height - size + 1;
  std::vector<double> rows(static_cast<size_t>(height) * out_w);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < out_w; ++x) {
      double sum = 0.0;
      for (int k = 0; k < size; ++k) sum += window[k] * image[static_cast<size_t>(y) * width + x + k];
      rows[static_cast<size_t>(y) * out_w + x] = sum;
    }
  }
  std::vector<double> out(static_cast<size_t>(out_h) * out_w);
  for (int y = 0; y < out_h; ++y) {
    for (int x = 0; x < out_w; ++x) {
      double sum = 0.0;
      for (int k = 0; k < size; ++k) sum += window[k] * rows[static_cast<size_t>(y + k) * out_w + x];
      out[static_cast<size_t>(y) * out_w + x] = sum;
    }
  }
  return out;
}

double ssim_channel(const float* a, const float* b, int width, int height,
                    const std::vector<double>& window) {
  const size_t n = static_cast<size_t>(width) * height;
  std::vector<double> x(a, a + n), y(b, b + n), xx(n), yy(n), xy(n);
  for (size_t i = 0; i < n; ++i) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const auto mu_x = filter(x, width, height, window);
  const auto mu_y = filter(y, width, height, window);
  const auto e_xx = filter(xx, width, height, window);
  const auto e_yy = filter(yy, width, height, window);
  const auto e_xy = filter(xy, width, height, window);
  double total = 0.0;
  for (size_t i = 0; i < mu_x.size(); ++i) {
    const double mx = mu_x[i];
    const double my = mu_y[i];
    const double var_x = e_xx[i] - mx * mx;
    const double var_y = e_yy[i] - my * my;
    const double cov = e_xy[i] - mx * my;
    total += ((2 * mx * my + kC1) * (2 * cov + kC2)) / ((mx * mx + my * my + kC1) * (var_x + var_y + kC2));
  }
  return total / static_cast<double>(mu_x.size());
}

}  // namespace

double psnr_from_mse(double value) {
  if (!(value > 0.0)) return kPsnrCap;  // identical frames (and a NaN guard)
  return std::min(kPsnrCap, -10.0 * std::log10(value));
}

double mse(const float* a, const float* b, int width, int height) {
  const size_t n = static_cast<size_t>(width) * height * 3;
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    sum += d * d;
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

double ssim(const float* a, const float* b, int width, int height) {
  int size = std::min({11, width, height});
  if (size % 2 == 0) --size;
  const auto window = gaussian_window(size);
  const size_t plane = static_cast<size_t>(width) * height;
  double total = 0.0;
  for (int c = 0; c < 3; ++c) total += ssim_channel(a + c * plane, b + c * plane, width, height, window);
  return total / 3.0;
}

namespace {
std::vector<double> area_downsample(const float* frame, int width, int height, int cells) {
  std::vector<double> sums(static_cast<size_t>(cells) * cells * 3, 0.0);
  std::vector<double> counts(static_cast<size_t>(cells) * cells, 0.0);
  const size_t plane = static_cast<size_t>(width) * height;
  for (int y = 0; y < height; ++y) {
    const int cy = static_cast<int>(static_cast<long long>(y) * cells / height);
    for (int x = 0; x < width; ++x) {
      const int cx = static_cast<int>(static_cast<long long>(x) * cells / width);
      const size_t cell = static_cast<size_t>(cy) * cells + cx;
      counts[cell] += 1.0;
      for (int c = 0; c < 3; ++c)
        sums[c * counts.size() + cell] += frame[c * plane + static_cast<size_t>(y) * width + x];
    }
  }
  for (size_t i = 0; i < sums.size(); ++i) sums[i] /= std::max(1.0, counts[i % counts.size()]);
  return sums;
}
}  // namespace

double layout_psnr(const float* truth, const float* prediction, int width, int height, int cells) {
  cells = std::min({cells, width, height});
  const auto a = area_downsample(truth, width, height, cells);
  const auto b = area_downsample(prediction, width, height, cells);
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return psnr_from_mse(a.empty() ? 0.0 : sum / static_cast<double>(a.size()));
}

double mean_luma_gradient(const float* frame, int width, int height) {
  const size_t plane = static_cast<size_t>(width) * height;
  auto luma = [&](int x, int y) {
    const size_t i = static_cast<size_t>(y) * width + x;
    return 0.299 * frame[i] + 0.587 * frame[plane + i] + 0.114 * frame[2 * plane + i];
  };
  double sum = 0.0;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (x + 1 < width) sum += std::abs(luma(x + 1, y) - luma(x, y));
      if (y + 1 < height) sum += std::abs(luma(x, y + 1) - luma(x, y));
    }
  }
  return plane ? sum / static_cast<double>(plane) : 0.0;
}

double sharpness(const float* truth, const float* prediction, int width, int height) {
  // The epsilon keeps a flat truth finite: two flat frames are "as detailed" (1).
  constexpr double kEpsilon = 1e-9;
  return (mean_luma_gradient(prediction, width, height) + kEpsilon) /
         (mean_luma_gradient(truth, width, height) + kEpsilon);
}

FrameMetrics compare_frames(const float* a, const float* b, int width, int height) {
  FrameMetrics metrics;
  metrics.mse = mse(a, b, width, height);
  metrics.psnr = psnr_from_mse(metrics.mse);
  metrics.ssim = ssim(a, b, width, height);
  metrics.layout_psnr = layout_psnr(a, b, width, height);
  metrics.sharpness = sharpness(a, b, width, height);
  return metrics;
}

namespace {
// Both 8-bit images as planar [3][height][width] floats in [0,1]; UserError if the sizes differ.
std::pair<std::vector<float>, std::vector<float>> planar_pair(const Image& truth, const Image& prediction) {
  if (!truth.same_size(prediction)) throw UserError("cannot compare frames of different sizes");
  const size_t plane = static_cast<size_t>(truth.width) * truth.height;
  std::vector<float> fa(plane * 3), fb(plane * 3);
  for (size_t i = 0; i < plane; ++i) {
    for (size_t c = 0; c < 3; ++c) {
      fa[c * plane + i] = truth.pixels[i * 3 + c] / 255.0f;
      fb[c * plane + i] = prediction.pixels[i * 3 + c] / 255.0f;
    }
  }
  return {std::move(fa), std::move(fb)};
}
}  // namespace

FrameMetrics compare_frames(const Image& truth, const Image& prediction) {
  const auto [a, b] = planar_pair(truth, prediction);
  return compare_frames(a.data(), b.data(), truth.width, truth.height);
}

double frame_psnr(const Image& truth, const Image& prediction) {
  const auto [a, b] = planar_pair(truth, prediction);
  return psnr_from_mse(mse(a.data(), b.data(), truth.width, truth.height));
}

namespace {
// total += scale * metrics, field by field: the one place that lists the fields for aggregation.
void accumulate(FrameMetrics& total, const FrameMetrics& metrics, double scale) {
  total.mse += scale * metrics.mse;
  total.psnr += scale * metrics.psnr;
  total.ssim += scale * metrics.ssim;
  total.layout_psnr += scale * metrics.layout_psnr;
  total.sharpness += scale * metrics.sharpness;
}
}  // namespace

HorizonMetrics::HorizonMetrics(int horizon) : sums_(horizon), counts_(horizon, 0) {}

void HorizonMetrics::add(int step, const FrameMetrics& metrics) {
  accumulate(sums_.at(step), metrics, 1.0);
  ++counts_.at(step);
}

FrameMetrics HorizonMetrics::mean(int step) const {
  const long long n = counts_.at(step);
  FrameMetrics mean;
  if (n > 0) accumulate(mean, sums_.at(step), 1.0 / static_cast<double>(n));
  return mean;
}

FrameMetrics HorizonMetrics::overall() const {
  FrameMetrics total;
  for (int step = 0; step < horizon(); ++step) accumulate(total, mean(step), 1.0 / horizon());
  return total;
}

ClusteredStepMeans::ClusteredStepMeans(int horizon) : steps_(horizon) {}

void ClusteredStepMeans::add(int step, std::int64_t walk, double value) {
  Sum& sum = steps_.at(step)[walk];
  sum.sum += value;
  ++sum.count;
}

double ClusteredStepMeans::mean(int step) const {
  double total = 0.0;
  long long count = 0;
  for (const auto& [walk, sum] : steps_.at(step)) {
    total += sum.sum;
    count += sum.count;
  }
  return count > 0 ? total / static_cast<double>(count) : std::nan("");
}

double ClusteredStepMeans::standard_error(int step) const {
  const auto& walks = steps_.at(step);
  if (walks.size() < 2) return std::nan("");
  const double m = mean(step);
  double squares = 0.0;
  long long count = 0;
  for (const auto& [walk, sum] : walks) {
    const double residual = sum.sum - static_cast<double>(sum.count) * m;
    squares += residual * residual;
    count += sum.count;
  }
  const double c = static_cast<double>(walks.size());
  return std::sqrt(c / (c - 1.0) * squares) / static_cast<double>(count);
}

int ClusteredStepMeans::walks() const { return steps_.empty() ? 0 : static_cast<int>(steps_.front().size()); }

}  // namespace dw::model
