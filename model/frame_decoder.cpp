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

DecodedFrame score_mean_frame(torch::Tensor frame, const torch::Tensor& target) {
  DecodedFrame out{std::move(frame), {}, {}};
  if (!target.defined()) return out;
  out.mse = (out.frame.to(torch::kFloat32) - target).square().mean();
  out.loss = out.mse * static_cast<double>(target[0].numel());
  return out;
}

torch::Tensor warp_frame(const torch::Tensor& frame, const torch::Tensor& flow) {
  namespace F = torch::nn::functional;
  const std::int64_t n = frame.size(0);
  auto identity = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f}, frame.options()).view({1, 2, 3}).expand({n, 2, 3});
  auto grid = F::affine_grid(identity, frame.sizes(), false) + flow.permute({0, 2, 3, 1});
  return F::grid_sample(frame, grid,
                        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));
}

std::shared_ptr<FrameDecoder> make_mean_decoder(const ModelConfig& config, int feature_channels);
std::shared_ptr<FrameDecoder> make_warp_decoder(const ModelConfig& config, int feature_channels);

std::shared_ptr<FrameDecoder> make_decoder(const ModelConfig& config, int feature_channels) {
  switch (config.decoder.type) {
    case DecoderType::mean:
      return make_mean_decoder(config, feature_channels);
    case DecoderType::warp:
      return make_warp_decoder(config, feature_channels);
  }
  throw std::logic_error("make_decoder: unhandled decoder type");
}

}  // namespace dw::model
