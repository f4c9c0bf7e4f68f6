#include "model/world_model.h"

#include <algorithm>

namespace dw::model {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int in, int out, int kernel, int stride = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding((kernel - 1) / 2));
}

// Stride-2 down/up-sampling with a 4x4 kernel: exact halving/doubling without checkerboard gaps.
nn::Conv2d down(int in, int out) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(2).padding(1));
}
nn::ConvTranspose2d up(int in, int out) {
  return nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1));
}

}  // namespace

EncoderImpl::EncoderImpl(const ModelConfig& config) {
  layers_ = nn::Sequential();
  int channels = 3;
  for (int out : config.encoder_channels) {
    layers_->push_back(down(channels, out));
    layers_->push_back(nn::SiLU());
    channels = out;
  }
  layers_->push_back(conv(channels, channels, 3));
  layers_->push_back(nn::SiLU());
  register_module("layers", layers_);
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& frames) {
  return layers_->forward(frames * 2.0 - 1.0);  // centred input trains faster than [0,1]
}

namespace {

// Decoder stage widths, coarsest first: the encoder's mirrored, plus the full-resolution stage,
// which works on 4x the pixels of the one before and so gets half its channels.
std::vector<int> decoder_channels(const ModelConfig& config) {
  std::vector<int> channels(config.encoder_channels.rbegin(), config.encoder_channels.rend());
  channels.push_back(std::max(channels.back() / 2, 8));
  return channels;
}

// Skip i sits at full resolution / 2^i: the frame itself, then the width of the decoder stage there.
std::vector<int> skip_channels(const ModelConfig& config) {
  std::vector<int> widths = decoder_channels(config);
  std::reverse(widths.begin(), widths.end());  // finest first
  std::vector<int> channels{3};
  for (size_t i = 1; i + 1 < widths.size(); ++i) channels.push_back(widths[i]);
  return channels;
}

}  // namespace

FrameSkipsImpl::FrameSkipsImpl(const ModelConfig& config) {
  const std::vector<int> channels = skip_channels(config);
  stages_ = register_module("stages", nn::ModuleList());
  for (size_t i = 1; i < channels.size(); ++i) {
    stages_->push_back(nn::Sequential(down(channels[i - 1], channels[i]), nn::SiLU()));
  }
}

std::vector<torch::Tensor> FrameSkipsImpl::forward(const torch::Tensor& frame) {
  std::vector<torch::Tensor> skips{frame * 2.0 - 1.0};
  for (const auto& stage : *stages_) skips.push_back(stage->as<nn::Sequential>()->forward(skips.back()));
  return skips;
}

DecoderImpl::DecoderImpl(const ModelConfig& config) {
  const std::vector<int> channels = decoder_channels(config);
  stem_ = register_module(
      "stem", nn::Sequential(conv(config.state_channels + config.latent_channels, channels.front(), 3), nn::SiLU()));
  upsample_ = register_module("upsample", nn::ModuleList());
  for (size_t i = 0; i + 1 < channels.size(); ++i) {
    upsample_->push_back(nn::Sequential(up(channels[i], channels[i + 1]), nn::SiLU()));
  }
  if (config.previous_frame == "warp") {
    skips_ = register_module("skips", FrameSkips(config));
    const std::vector<int> skips = skip_channels(config);
    fuse_ = register_module("fuse", nn::ModuleList());
    const size_t stages = channels.size() - 1;
    for (size_t i = 0; i < stages; ++i) {
      const int width = channels[i + 1];
      const int skip = skips[stages - 1 - i];  // skips are finest first
      fuse_->push_back(nn::Sequential(conv(width + skip, width, 3), nn::SiLU()));
    }
    flow_ = register_module("flow", conv(channels[1], 2, 3));
    torch::NoGradGuard no_grad;  // start from the identity warp
    flow_->weight.zero_();
    flow_->bias.zero_();
  }
  head_ = register_module("head", conv(channels.back(), 3, 3));
}

torch::Tensor warp_frame(const torch::Tensor& frame, const torch::Tensor& flow) {
  namespace F = torch::nn::functional;
  const int64_t n = frame.size(0);
  auto identity = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f}, frame.options()).view({1, 2, 3}).expand({n, 2, 3});
  auto grid = F::affine_grid(identity, frame.sizes(), false) + flow.permute({0, 2, 3, 1});
  return F::grid_sample(frame, grid,
                        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));
}

// The flow is predicted on the first upsampled stage and smoothly upsampled: a camera step moves
// most of the picture coherently.
torch::Tensor DecoderImpl::warp(const torch::Tensor& frame, const torch::Tensor& coarse_features) {
  namespace F = torch::nn::functional;
  auto flow = F::interpolate(flow_->forward(coarse_features),
                             F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{frame.size(2), frame.size(3)})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
  return warp_frame(frame, flow);
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& features, const torch::Tensor& previous_frame) {
  torch::Tensor x = stem_->forward(features);
  torch::Tensor warped;
  std::vector<torch::Tensor> skips;
  const size_t stages = upsample_->size();
  for (size_t i = 0; i < stages; ++i) {
    x = upsample_[i]->as<nn::Sequential>()->forward(x);
    if (!flow_) continue;
    if (i == 0) {
      warped = warp(previous_frame, x);
      skips = skips_->forward(warped);
    }
    x = fuse_[i]->as<nn::Sequential>()->forward(torch::cat({x, skips.at(stages - 1 - i)}, 1));
  }
  torch::Tensor correction = head_->forward(x);
  if (!flow_) return torch::sigmoid(correction);
  // The warped frame plus a correction in logit space: stays in (0,1), and copying is free.
  return torch::sigmoid(torch::logit(warped.clamp(0.02, 0.98)) + correction);
}

ConvGruCellImpl::ConvGruCellImpl(int input_channels, int state_channels) {
  gates_ = register_module("gates", conv(input_channels + state_channels, 2 * state_channels, 3));
  candidate_ = register_module("candidate", conv(input_channels + state_channels, state_channels, 3));
}

torch::Tensor ConvGruCellImpl::forward(const torch::Tensor& input, const torch::Tensor& state) {
  auto gates = torch::sigmoid(gates_->forward(torch::cat({input, state}, 1))).chunk(2, 1);
  const torch::Tensor& reset = gates[0];
  const torch::Tensor& update = gates[1];
  torch::Tensor candidate = torch::tanh(candidate_->forward(torch::cat({input, reset * state}, 1)));
  return torch::lerp(state, candidate, update);
}

WorldModelImpl::WorldModelImpl(const ModelConfig& config, int action_dim)
    : config_(config), action_dim_(action_dim) {
  const int z = config.latent_channels;
  const int s = config.state_channels;
  const int hidden = config.hidden_channels;
  const int embedding = config.encoder_channels.back();
  encoder_ = register_module("encoder", Encoder(config));
  decoder_ = register_module("decoder", Decoder(config));
  input_ = register_module("input", nn::Sequential(conv(z + action_dim, hidden, 3), nn::SiLU()));
  cell_ = register_module("cell", ConvGruCell(hidden, s));
  prior_ = register_module("prior", nn::Sequential(conv(s, hidden, 3), nn::SiLU(), conv(hidden, 2 * z, 1)));
  posterior_ = register_module(
      "posterior", nn::Sequential(conv(s + embedding, hidden, 3), nn::SiLU(), conv(hidden, 2 * z, 1)));
}

LatentState WorldModelImpl::initial_state(int64_t batch, const torch::Device& device) const {
  auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const int64_t height = config_.latent_height();
  const int64_t width = config_.latent_width();
  return {torch::zeros({batch, config_.state_channels, height, width}, options),
          torch::zeros({batch, config_.latent_channels, height, width}, options)};
}

torch::Tensor WorldModelImpl::advance(const LatentState& state, const torch::Tensor& action) {
  torch::Tensor input = state.z;
  if (action_dim_ > 0) {
    // Actions are global: broadcast each one over the latent map as a constant channel.
    auto planes = action.to(state.z.dtype()).view({action.size(0), action_dim_, 1, 1})
                      .expand({-1, -1, state.z.size(2), state.z.size(3)});
    input = torch::cat({state.z, planes}, 1);
  }
  return cell_->forward(input_->forward(input), state.h);
}

Gaussian WorldModelImpl::split_gaussian(const torch::Tensor& stats) const {
  auto parts = stats.chunk(2, 1);
  return {parts[0], torch::nn::functional::softplus(parts[1]) + config_.min_std};
}

Gaussian WorldModelImpl::prior(const torch::Tensor& h) { return split_gaussian(prior_->forward(h)); }

Gaussian WorldModelImpl::posterior(const torch::Tensor& h, const torch::Tensor& embedding) {
  return split_gaussian(posterior_->forward(torch::cat({h, embedding}, 1)));
}

torch::Tensor WorldModelImpl::decode(const LatentState& state, const torch::Tensor& previous_frame) {
  torch::Tensor features = torch::cat({state.h, state.z}, 1);
  if (config_.previous_frame == "none") return decoder_->forward(features, {});
  torch::Tensor frame = previous_frame;
  if (!frame.defined()) {
    frame = torch::full({features.size(0), 3, config_.height, config_.width}, 0.5, features.options());
  }
  return decoder_->forward(features, frame.to(features.scalar_type()));
}

int64_t parameter_count(torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  return count;
}

}  // namespace dw::model
