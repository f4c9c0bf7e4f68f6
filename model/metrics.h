// Frame quality metrics of the evaluation protocol (DESIGN.md): MSE, PSNR (capped, never inf or
// NaN) and SSIM (11x11 Gaussian window, sigma 1.5, mean over the three channels, data range 1),
// plus their aggregation per horizon step. Torch-free, so any tool can score frames.
#pragma once

#include <string>
#include <vector>

#include "nav/image.h"

namespace dw::model {

constexpr double kPsnrCap = 100.0;  // reported for identical frames

struct FrameMetrics {
  double mse = 0.0;
  double psnr = 0.0;
  double ssim = 0.0;
};

double psnr_from_mse(double mse);  // data range 1; capped at kPsnrCap

// Planar float frames [3][height][width] in [0,1].
double mse(const float* a, const float* b, int width, int height);
// Windows shrink to the image size (odd) for frames smaller than 11 pixels.
double ssim(const float* a, const float* b, int width, int height);
FrameMetrics compare_frames(const float* a, const float* b, int width, int height);
// 8-bit images of the same size (scaled to [0,1]); UserError if the sizes differ.
FrameMetrics compare_frames(const Image& a, const Image& b);

// Means per horizon step over all windows scored.
class HorizonMetrics {
 public:
  explicit HorizonMetrics(int horizon = 0);
  void add(int step, const FrameMetrics& metrics);  // step in 0..horizon-1
  int horizon() const { return static_cast<int>(sums_.size()); }
  long long count(int step) const { return counts_.at(step); }
  FrameMetrics mean(int step) const;
  FrameMetrics overall() const;  // mean over all steps

 private:
  std::vector<FrameMetrics> sums_;
  std::vector<long long> counts_;
};

}  // namespace dw::model
