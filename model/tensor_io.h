// The one place where plain buffers (data::WindowBatch, dw::Image, action vectors) become model
// tensors and back: float32 in [0,1], frames [B, T, 3, H, W], actions [B, T-1, A].
#pragma once

#include <torch/torch.h>

#include <vector>

#include "datasets/window_sampler.h"
#include "nav/base/image.h"

namespace dw::model {

struct WindowTensors {
  torch::Tensor frames;   // [B, T, 3, H, W] float32 in [0,1]
  torch::Tensor actions;  // [B, T-1, A] float32 (A may be 0)
};

WindowTensors to_tensors(const data::WindowBatch& batch, const torch::Device& device);
// Images of one size -> [N, 3, H, W].
torch::Tensor images_to_tensor(const std::vector<Image>& images, const torch::Device& device);
// [N, 3, H, W] in [0,1] (any device/dtype) -> N images, rounded to the nearest 8-bit value.
std::vector<Image> tensor_to_images(const torch::Tensor& frames);
// N action vectors of `dimension` floats -> [N, A].
torch::Tensor actions_to_tensor(const std::vector<std::vector<float>>& actions, int dimension,
                                const torch::Device& device);

}  // namespace dw::model
