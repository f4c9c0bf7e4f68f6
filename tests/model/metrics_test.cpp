// PSNR/SSIM/MSE against values worked out by hand on small known images.
#include <catch2/catch.hpp>
#include <cmath>

#include "model/metrics.h"
#include "nav/base/user_error.h"

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

TEST_CASE("sharpness is 1 for identical frames and 0 for a flat prediction", "[model][metrics]") {
  dw::Image textured(16, 16);
  for (size_t i = 0; i < textured.pixels.size(); ++i) textured.pixels[i] = static_cast<std::uint8_t>((i / 3) % 2 ? 200 : 40);
  CHECK(compare_frames(textured, textured).sharpness == Approx(1.0).epsilon(1e-12));
  CHECK(compare_frames(textured, constant_image(16, 120)).sharpness == Approx(0.0).margin(1e-6));
  // Half the contrast: half the gradient.
  dw::Image faint(16, 16);
  for (size_t i = 0; i < faint.pixels.size(); ++i) faint.pixels[i] = static_cast<std::uint8_t>((i / 3) % 2 ? 160 : 80);
  CHECK(compare_frames(textured, faint).sharpness == Approx(0.5).epsilon(1e-6));
  CHECK(compare_frames(faint, textured).sharpness == Approx(2.0).epsilon(1e-6));
}

TEST_CASE("mean luma gradient matches a hand count", "[model][metrics]") {
  // 2x2 frame, grey levels (luma) 0, 1 / 0, 0: horizontal diffs |1-0| + |0-0|, vertical
  // |0-0| + |0-1|, so (1 + 1) / 4 pixels = 0.5.
  std::vector<float> frame(3 * 4, 0.0f);
  for (int c = 0; c < 3; ++c) frame[c * 4 + 1] = 1.0f;
  CHECK(mean_luma_gradient(frame.data(), 2, 2) == Approx(0.5));
}

TEST_CASE("layout PSNR compares 8x8 area means against a hand-computed value", "[model][metrics]") {
  // A 16x16 checkerboard of single pixels averages to 0.5 in every 2x2 cell, exactly the flat
  // 0.5 frame: layout PSNR is capped while the per-pixel PSNR is -10 log10(0.25) = 6.02 dB.
  const int size = 16;
  const size_t plane = size * size;
  std::vector<float> checker(3 * plane), flat(3 * plane, 0.5f), shifted(3 * plane, 0.6f);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) checker[c * plane + y * size + x] = (x + y) % 2 ? 1.0f : 0.0f;
  const FrameMetrics m = compare_frames(checker.data(), flat.data(), size, size);
  CHECK(m.layout_psnr == kPsnrCap);
  CHECK(m.psnr == Approx(6.0206).epsilon(1e-4));
  // Every cell off by 0.1: MSE 0.01, layout PSNR 20 dB.
  CHECK(layout_psnr(checker.data(), shifted.data(), size, size) == Approx(20.0).epsilon(1e-5));
  // Only the top-left cell (2x2 pixels of 16x16) differs, by 0.8 in every channel: the layout
  // MSE is 0.64 / 64 cells = 0.01, again 20 dB, though the frames agree everywhere else.
  std::vector<float> spot = flat;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 2; ++x) spot[c * plane + y * size + x] = 1.3f;  // 0.5 + 0.8
  CHECK(layout_psnr(flat.data(), spot.data(), size, size) == Approx(20.0).epsilon(1e-5));
}

TEST_CASE("frame_psnr is compare_frames' PSNR without the rest", "[model][metrics]") {
  dw::Image a(16, 16), b(16, 16);
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    a.pixels[i] = static_cast<std::uint8_t>(i * 37);
    b.pixels[i] = static_cast<std::uint8_t>(i * 37 + (i % 5));
  }
  CHECK(frame_psnr(a, b) == compare_frames(a, b).psnr);
  CHECK(frame_psnr(a, a) == kPsnrCap);
  CHECK_THROWS_AS(frame_psnr(a, dw::Image(8, 8)), dw::UserError);
}

TEST_CASE("clustered step means: the plain standard error when every window is its own walk", "[model][metrics]") {
  ClusteredStepMeans means(2);
  const double values[] = {1.0, 2.0, 3.0, 6.0};
  for (int i = 0; i < 4; ++i) means.add(0, i, values[i]);
  // mean 3, sample variance (4 + 1 + 0 + 9) / 3, standard error sqrt(14 / 3 / 4)
  CHECK(means.mean(0) == Approx(3.0));
  CHECK(means.standard_error(0) == Approx(std::sqrt(14.0 / 3.0 / 4.0)).epsilon(1e-12));
  CHECK(means.walks() == 4);
  CHECK(std::isnan(means.mean(1)));  // nothing at step 1 yet
  CHECK(std::isnan(means.standard_error(1)));
  CHECK_THROWS(means.add(2, 0, 1.0));  // past the horizon
}

TEST_CASE("clustered step means: windows of one walk count as one unit", "[model][metrics]") {
  // Two walks, each with three identical windows: the mean's uncertainty is that of two values,
  // not six. As six independent windows the standard error would be sqrt(6 / 5 / 6) = 0.447...
  ClusteredStepMeans walks(1);
  for (int i = 0; i < 3; ++i) {
    walks.add(0, 7, 1.0);
    walks.add(0, 9, 3.0);
  }
  CHECK(walks.mean(0) == Approx(2.0));
  CHECK(walks.walks() == 2);
  // sqrt(C / (C - 1) * sum_c (S_c - n_c m)^2) / N = sqrt(2 * (9 + 9)) / 6 = 1: the standard error
  // of the two walks' means, 1 and 3.
  CHECK(walks.standard_error(0) == Approx(1.0).epsilon(1e-12));
  ClusteredStepMeans one(1);
  one.add(0, 3, 1.0);
  one.add(0, 3, 5.0);
  CHECK(one.mean(0) == Approx(3.0));
  CHECK(std::isnan(one.standard_error(0)));  // one walk: no spread to measure
}
