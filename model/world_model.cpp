#include "model/world_model.h"

#include "model/layers.h"

namespace dw::model {

EncoderImpl::EncoderImpl(const ModelConfig& config) {
  namespace nn = torch::nn;
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

WorldModelImpl::WorldModelImpl(const ModelConfig& config, int action_dim)
    : config_(config), action_dim_(action_dim) {
  // Built in this order (encoder, decoder, dynamics) so a seed gives the same initial weights.
  encoder_ = register_module("encoder", Encoder(config));
  decoder_ = register_module("decoder", make_decoder(config, dynamics_feature_channels(config)));
  dynamics_ = make_dynamics(config, action_dim);
  // The core's parts are registered here without a prefix: their names are the checkpoint's
  // tensor names, which predate the dynamics seam ("input.*", "cell.*", "prior.*", ...).
  for (const auto& child : dynamics_->named_children()) register_module(child.key(), child.value());
}

std::int64_t parameter_count(torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  return count;
}

}  // namespace dw::model
