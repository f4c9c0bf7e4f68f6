// An optional perceptual metric loaded from a TorchScript module file (for example an exported
// LPIPS): forward(a, b) on [N,3,H,W] tensors in [-1,1] returning one distance per pair.
// Torch-free header so eval can use it through the CLI without LibTorch headers.
#pragma once

#include <filesystem>
#include <memory>

#include "nav/base/image.h"

namespace dw::model {

class PerceptualMetric {
 public:
  // Throws UserError naming the file when it is missing or not a loadable TorchScript module.
  static std::unique_ptr<PerceptualMetric> load(const std::filesystem::path& path);
  virtual ~PerceptualMetric() = default;
  virtual double distance(const Image& a, const Image& b) = 0;
};

}  // namespace dw::model
