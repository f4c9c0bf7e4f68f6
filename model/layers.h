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
inline torch::nn::ConvTranspose2d up(int in, int out) {
  return torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1));
}

}  // namespace dw::model
