// Frame quality metrics of the evaluation protocol (DESIGN.md): MSE, PSNR (capped, never inf or
// NaN), SSIM (11x11 Gaussian window, sigma 1.5, mean over the three channels, data range 1),
// layout PSNR (8x8 area-downsampled frames) and sharpness (luma gradient ratio), plus their
// aggregation per horizon step. Torch-free, so any tool can score frames.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nav/base/image.h"

namespace dw::model {

constexpr double kPsnrCap = 100.0;  // reported for identical frames

constexpr int kLayoutCells = 8;     // layout PSNR compares frames area-downsampled to 8x8

struct FrameMetrics {
  double mse = 0.0;
  double psnr = 0.0;
  double ssim = 0.0;
  // PSNR of the two frames after area-downsampling both to 8x8: coarse structure and colour
  // (right room, right walls) without rewarding or punishing fine detail.
  double layout_psnr = 0.0;
  // Mean absolute horizontal + vertical luma difference of the prediction (second frame) over
  // the truth's (first frame): 1 = as detailed as the truth, 0 = flat. PSNR alone rewards a
  // blurred average; this says when a prediction has dissolved into fog.
  double sharpness = 0.0;
};

double psnr_from_mse(double mse);  // data range 1; capped at kPsnrCap

// Planar float frames [3][height][width] in [0,1].
double mse(const float* a, const float* b, int width, int height);
// Windows shrink to the image size (odd) for frames smaller than 11 pixels.
double ssim(const float* a, const float* b, int width, int height);
// Planar frames: `truth` [3][height][width] downsampled to cells x cells by area averaging (pixel
// x falls in cell x * cells / width), then PSNR.
double layout_psnr(const float* truth, const float* prediction, int width, int height,
                   int cells = kLayoutCells);
// Mean |dx| + |dy| of the luma (0.299 R + 0.587 G + 0.114 B) of a planar frame.
double mean_luma_gradient(const float* frame, int width, int height);
// mean_luma_gradient(prediction) / mean_luma_gradient(truth); 1 when both are flat.
double sharpness(const float* truth, const float* prediction, int width, int height);
// Every metric, `a` the truth and `b` the prediction (the order matters for sharpness only).
FrameMetrics compare_frames(const float* a, const float* b, int width, int height);
// 8-bit images of the same size (scaled to [0,1]); UserError if the sizes differ.
FrameMetrics compare_frames(const Image& truth, const Image& prediction);
// PSNR alone (from the MSE): for a per-step display, where compare_frames' SSIM would cost
// more than the frame it scores.
double frame_psnr(const Image& truth, const Image& prediction);

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

// Per-step means of one per-window figure (say the model's layout PSNR minus copy-last's) with
// their standard errors, the walk as the unit: a walk's windows overlap at strides shorter than a
// window and share its rooms at any stride, so they are not independent draws, and a standard
// error over windows would claim more certainty than ten walks give. The cluster-robust (sandwich)
// estimate of the mean's variance, C/(C-1) * sum over walks of (walk's sum - its count x mean)^2 /
// N^2, is the plain s^2/N when every window is its own walk.
class ClusteredStepMeans {
 public:
  explicit ClusteredStepMeans(int horizon = 0);
  void add(int step, std::int64_t walk, double value);  // step in 0..horizon-1
  int horizon() const { return static_cast<int>(steps_.size()); }
  double mean(int step) const;            // NaN before any value
  double standard_error(int step) const;  // NaN with fewer than two walks
  int walks() const;                      // walks seen at step 0

 private:
  struct Sum {
    double sum = 0.0;
    long long count = 0;
  };
  std::vector<std::map<std::int64_t, Sum>> steps_;  // per step: each walk's sum and count
};

}  // namespace dw::model
