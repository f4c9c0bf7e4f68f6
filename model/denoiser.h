// A few-step denoiser for a residual image, sampled by the Euler steps and noise schedule of
// EDM (Karras et al. 2022, the sampler DIAMOND uses), predicting the clean residual directly:
// trained to remove Gaussian noise of random levels from the residual given a condition image,
// sampled by Euler steps from pure noise. It draws one sharp residual where a squared-error
// decoder would predict the average of all of them (model/decoder_denoise.cpp uses it).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "model/layers.h"

namespace dw::model {

// The noise levels of a sampler with `steps` denoiser evaluations, highest first, then 0.
std::vector<double> sampling_sigmas(int steps);

class ResidualDenoiserImpl : public torch::nn::Module {
 public:
  // condition_channels: channels of the condition image; channels: widths at 1/2 and 1/4 of its
  // resolution (the network works on 2x2 pixel blocks to stay cheap at batch 1 on a CPU).
  ResidualDenoiserImpl(int condition_channels, const std::vector<int>& channels);

  // The estimate of the clean residual from `noisy` at noise level sigma [N].
  torch::Tensor denoise(const torch::Tensor& noisy, const torch::Tensor& sigma, const torch::Tensor& condition);
  // Training loss (per pixel, mean over the batch) of the clean residual [N,3,H,W]; the
  // noise level and the noise of row b come from noise[b].
  torch::Tensor loss(const torch::Tensor& clean, const torch::Tensor& condition, std::vector<at::Generator>& noise);
  // One residual [N,3,H,W] per row, sampled with `steps` evaluations from noise[b]'s stream.
  torch::Tensor sample(const torch::Tensor& condition, int steps, std::vector<at::Generator>& noise);

 private:
  torch::Tensor network(const torch::Tensor& input, const torch::Tensor& noise_level);

  torch::nn::Linear embed_{nullptr};           // noise level features -> embedding
  torch::nn::Conv2d in_{nullptr}, middle_{nullptr}, fuse_{nullptr}, out_{nullptr};
  torch::nn::Conv2d down_{nullptr};
  SubpixelUp up_{nullptr};
  torch::nn::ModuleList modulations_{nullptr};  // embedding -> (scale, shift) per block
};
TORCH_MODULE(ResidualDenoiser);

}  // namespace dw::model
