#include "model/layers.h"

namespace dw::model {

SubpixelUpImpl::SubpixelUpImpl(int in, int out) {
  // Borrow ConvTranspose2d's initialisation so a seeded fresh model is what it always was.
  torch::nn::ConvTranspose2d reference(torch::nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1));
  weight = register_parameter("weight", reference->weight.detach().clone());
  bias = register_parameter("bias", reference->bias.detach().clone());
}

// Output pixel (2i + a, 2j + b) of the transposed convolution sums input (i + u - 1, j + v - 1)
// times kernel tap (a + 3 - 2u, b + 3 - 2v) for u, v in 0..2, a tap outside 0..3 counting zero.
// Padding the 4x4 kernel by one zero on each side turns that into index (a + 4 - 2u).
std::pair<torch::Tensor, torch::Tensor> SubpixelUpImpl::subpixel_kernel() const {
  const torch::Tensor padded = torch::constant_pad_nd(weight, {1, 1, 1, 1});  // [in, out, 6, 6]
  const auto options = torch::TensorOptions().dtype(torch::kLong).device(weight.device());
  const torch::Tensor taps[2] = {torch::tensor({4, 2, 0}, options), torch::tensor({5, 3, 1}, options)};
  std::vector<torch::Tensor> phases;  // phase a * 2 + b, as pixel_shuffle orders them
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 2; ++b) phases.push_back(padded.index_select(2, taps[a]).index_select(3, taps[b]));
  }
  const std::int64_t in = weight.size(0), out = weight.size(1);
  torch::Tensor kernel = torch::stack(phases, 2).permute({1, 2, 0, 3, 4}).reshape({out * 4, in, 3, 3});
  return {kernel, bias.repeat_interleave(4)};
}

torch::Tensor SubpixelUpImpl::forward(const torch::Tensor& input) {
  const auto [kernel, shifted_bias] = subpixel_kernel();
  return torch::pixel_shuffle(torch::conv2d(input, kernel, shifted_bias, 1, 1), 2);
}

}  // namespace dw::model
