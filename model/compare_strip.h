// Side-by-side comparison images: truth | prediction | error heatmap, one column per step.
// Used by `eval` (best/worst windows) and `rollout --compare`. Torch-free.
#pragma once

#include <vector>

#include "nav/base/image.h"

namespace dw::model {

// Per-pixel absolute error (mean over RGB) mapped to a black-red-yellow-white heat scale;
// `full_scale` is the error (0..1) shown as white.
Image error_heatmap(const Image& truth, const Image& prediction, float full_scale = 0.5f);

// Three rows (truth, prediction, heatmap) and one column per frame. Sizes must match.
Image compare_strip(const std::vector<Image>& truth, const std::vector<Image>& prediction);

// compare_strip with its rows named (truth, dream, error) in a left margin and each column headed
// by its step number (`steps[c]`, one per column), for `rollout --compare`'s compare.png.
Image labelled_compare_strip(const std::vector<Image>& truth, const std::vector<Image>& prediction,
                             const std::vector<int>& steps);

// One frame of a comparison video: truth | prediction | heatmap side by side.
Image compare_frame(const Image& truth, const Image& prediction);

}  // namespace dw::model
