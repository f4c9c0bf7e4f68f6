// Convolution shorthands shared by the networks (encoder, dynamics cores, decoders).
#pragma once

#include <torch/torch.h>

namespace dw::model {

// Same-size convolution for odd kernels.
inline torch::nn::Conv2d conv(int in, int out, int kernel, int stride = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding((kernel - 1) / 2));
}

// Stride-2 down/up-sampling with a 4x4 kernel: exact halving/doubling without checkerboard gaps.
inline torch::nn::Conv2d down(int in, int out) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 4).stride(2).padding(1));
}

// The transposed convolution ConvTranspose2d(in, out, 4, stride 2, padding 1), with its parameters
// (same names, shapes and initialisation, so checkpoints are unchanged), computed as one 3x3
// convolution to 4 x out channels and a pixel shuffle. Equal up to float rounding, and about
// twice as fast on the CPU (a stand-alone test), where this LibTorch runs transposed
// convolutions on a slow path. The kernel is rearranged on every call (a few small ops), so
// training and inference always use the current weights.
class SubpixelUpImpl : public torch::nn::Module {
 public:
  SubpixelUpImpl(int in, int out);
  torch::Tensor forward(const torch::Tensor& input);
  // The 3x3 kernel [4*out, in, 3, 3] and bias the forward pass convolves with.
  std::pair<torch::Tensor, torch::Tensor> subpixel_kernel() const;

  torch::Tensor weight;  // [in, out, 4, 4], as ConvTranspose2d
  torch::Tensor bias;    // [out]
};
TORCH_MODULE(SubpixelUp);

inline SubpixelUp up(int in, int out) { return SubpixelUp(in, out); }

}  // namespace dw::model
