#include "model/frame_decoder.h"

#include <algorithm>

#include "model/layers.h"

namespace dw::model {

std::vector<int> decoder_channels(const ModelConfig& config) {
  std::vector<int> channels(config.encoder_channels.rbegin(), config.encoder_channels.rend());
  channels.push_back(std::max(channels.back() / 2, 8));
  return channels;
}

UpsamplingPath::UpsamplingPath(torch::nn::Module& owner, const ModelConfig& config, int feature_channels) {
  namespace nn = torch::nn;
  const std::vector<int> channels = decoder_channels(config);
  stem = owner.register_module("stem", nn::Sequential(conv(feature_channels, channels.front(), 3), nn::SiLU()));
  stages = owner.register_module("upsample", nn::ModuleList());
  for (size_t i = 0; i + 1 < channels.size(); ++i) {
    stages->push_back(nn::Sequential(up(channels[i], channels[i + 1]), nn::SiLU()));
  }
}

namespace {
// Mean over the frame of | |d pred| - |d truth| | along x and y.
torch::Tensor gradient_loss(const torch::Tensor& predicted, const torch::Tensor& truth) {
  const auto along = [&](int64_t dim) {
    const int64_t size = predicted.size(dim);
    auto difference = [&](const torch::Tensor& t) { return (t.slice(dim, 1, size) - t.slice(dim, 0, size - 1)).abs(); };
    return (difference(predicted) - difference(truth)).abs().mean();
  };
  return along(3) + along(2);
}
}  // namespace

DecodedFrame score_mean_frame(torch::Tensor frame, const torch::Tensor& target, const DecoderConfig& config) {
  DecodedFrame out{std::move(frame), {}, {}, {}};
  if (!target.defined()) return out;
  const torch::Tensor predicted = out.frame.to(torch::kFloat32);
  out.mse = (predicted - target).square().mean();
  torch::Tensor per_pixel = out.mse;
  if (config.gradient_weight > 0.0f) per_pixel = per_pixel + config.gradient_weight * gradient_loss(predicted, target);
  out.loss = per_pixel * static_cast<double>(target[0].numel());
  return out;
}

torch::Tensor pixel_centres(const torch::Tensor& like) {
  namespace F = torch::nn::functional;
  // One grid, broadcast over the batch: every row's centres are the same.
  const auto identity = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f}, like.options()).view({1, 2, 3});
  return F::affine_grid(identity, {1, 1, like.size(2), like.size(3)}, false)
      .permute({0, 3, 1, 2})
      .expand({like.size(0), 2, like.size(2), like.size(3)});
}

torch::Tensor identity_anchor_track(const torch::Tensor& frame) {
  return torch::cat({torch::zeros_like(frame.slice(1, 0, 2)), torch::ones_like(frame.slice(1, 0, 1))}, 1);
}

torch::Tensor warp_frame(const torch::Tensor& frame, const torch::Tensor& flow, Resample resample) {
  namespace F = torch::nn::functional;
  auto grid = (pixel_centres(frame) + flow).permute({0, 2, 3, 1});
  if (resample == Resample::bicubic) {
    // The functional options of this LibTorch know no bicubic mode; the op does (2 = bicubic,
    // 1 = border padding). Bicubic overshoots at edges: clamp so the frame stays in [0,1].
    return torch::grid_sampler(frame, grid, 2, 1, false).clamp(0.0, 1.0);
  }
  return F::grid_sample(frame, grid,
                        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));
}

std::shared_ptr<FrameDecoder> make_mean_decoder(const ModelConfig& config, int feature_channels);
std::shared_ptr<FrameDecoder> make_warp_decoder(const ModelConfig& config, int feature_channels);
std::shared_ptr<FrameDecoder> make_denoise_decoder(const ModelConfig& config, int feature_channels);

std::shared_ptr<FrameDecoder> make_decoder(const ModelConfig& config, int feature_channels) {
  switch (config.decoder.type) {
    case DecoderType::mean:
      return make_mean_decoder(config, feature_channels);
    case DecoderType::warp:
      return make_warp_decoder(config, feature_channels);
    case DecoderType::denoise:
      return make_denoise_decoder(config, feature_channels);
  }
  throw std::logic_error("make_decoder: unhandled decoder type");
}

}  // namespace dw::model
