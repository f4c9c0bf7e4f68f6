// PSNR/SSIM/MSE against values worked out by hand on small known images.
#include <catch2/catch.hpp>
#include <cmath>

#include "model/metrics.h"

using namespace dw::model;

namespace {

dw::Image constant_image(int size, std::uint8_t value) {
  dw::Image image(size, size);
  std::fill(image.pixels.begin(), image.pixels.end(), value);
  return image;
}

}  // namespace

TEST_CASE("identical frames give capped PSNR, SSIM 1 and MSE 0", "[model][metrics]") {
  dw::Image image(16, 16);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<std::uint8_t>(i * 37);
  const FrameMetrics m = compare_frames(image, image);
  CHECK(m.mse == 0.0);
  CHECK(m.psnr == kPsnrCap);
  CHECK(m.ssim == Approx(1.0).epsilon(1e-12));
  CHECK(psnr_from_mse(std::nan("")) == kPsnrCap);  // never NaN
}

TEST_CASE("constant frames: MSE, PSNR and SSIM match the closed forms", "[model][metrics]") {
  // a = 0.2, b = 0.6 everywhere: MSE = 0.16, PSNR = -10 log10(0.16) = 7.9588 dB,
  // no variance, so SSIM = (2ab + C1) / (a^2 + b^2 + C1) = (0.24 + 1e-4) / (0.4 + 1e-4).
  const dw::Image a = constant_image(16, 51);   // 51 / 255 = 0.2
  const dw::Image b = constant_image(16, 153);  // 153 / 255 = 0.6
  const FrameMetrics m = compare_frames(a, b);
  CHECK(m.mse == Approx(0.16).epsilon(1e-6));
  CHECK(m.psnr == Approx(7.958800).epsilon(1e-5));
  CHECK(m.ssim == Approx((0.24 + 1e-4) / (0.4 + 1e-4)).epsilon(1e-5));
}

TEST_CASE("SSIM of a contrast change matches the closed form", "[model][metrics]") {
  // Planar float frames: x alternates 0.25/0.75 in columns, y = 0.5 everywhere (same mean).
  // Inside any window the means agree, var_y = 0 and the luminance term is 1, so
  // SSIM = C2 / (var_x + C2) with var_x the Gaussian-weighted variance of x, mean over windows.
  const int size = 12;  // 2x2 valid positions of the 11x11 window; only the x offset matters
  std::vector<float> x(3 * size * size), y(3 * size * size, 0.5f);
  for (int c = 0; c < 3; ++c)
    for (int row = 0; row < size; ++row)
      for (int col = 0; col < size; ++col) x[(c * size + row) * size + col] = col % 2 ? 0.75f : 0.25f;
  // Window weights w_k (1-D Gaussian, sigma 1.5, 11 taps): the mean at offset o is
  // 0.5 + 0.25 S with S = sum_k w_k * s_{k+o}, s = -1, +1, ...; x^2 = 0.3125 + 0.25 s, so the
  // variance is 0.0625 (1 - S^2).
  double weights[11], total = 0.0;
  for (int k = 0; k < 11; ++k) total += weights[k] = std::exp(-(k - 5.0) * (k - 5.0) / 4.5);
  double expected = 0.0;
  for (int offset = 0; offset < 2; ++offset) {
    double signed_sum = 0.0;
    for (int k = 0; k < 11; ++k) signed_sum += weights[k] / total * (((k + offset) % 2) ? 1.0 : -1.0);
    const double mean = 0.5 + 0.25 * signed_sum;
    const double var = 0.0625 * (1.0 - signed_sum * signed_sum);
    const double luminance = (2 * mean * 0.5 + 1e-4) / (mean * mean + 0.25 + 1e-4);
    expected += luminance * (9e-4 / (var + 9e-4)) / 2.0;
  }
  CHECK(ssim(x.data(), y.data(), size, size) == Approx(expected).epsilon(1e-9));
  CHECK(mse(x.data(), y.data(), size, size) == Approx(0.0625));
}

TEST_CASE("horizon metrics average per step", "[model][metrics]") {
  HorizonMetrics metrics(2);
  metrics.add(0, {0.1, 10.0, 0.5});
  metrics.add(0, {0.3, 20.0, 0.7});
  metrics.add(1, {0.2, 30.0, 0.9});
  CHECK(metrics.count(0) == 2);
  CHECK(metrics.mean(0).psnr == Approx(15.0));
  CHECK(metrics.mean(0).mse == Approx(0.2));
  CHECK(metrics.mean(1).ssim == Approx(0.9));
  CHECK(metrics.overall().psnr == Approx(22.5));
}
