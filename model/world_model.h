// The world model's networks: a conv encoder (frame -> spatial latent map), a dynamics core over
// that map (model/dynamics.h; the RSSM by default) and a frame decoder (model/frame_decoder.h),
// each chosen by the config. The imagination engine (model/imagination.h) is what steps them.
// Model-internal (includes LibTorch).
#pragma once

#include <torch/torch.h>

#include <memory>

#include "model/config.h"
#include "model/dynamics.h"
#include "model/frame_decoder.h"

namespace dw::model {

class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const ModelConfig& config);
  // [N,3,H,W] in [0,1] -> [N,E,h,w]
  torch::Tensor forward(const torch::Tensor& frames);

 private:
  torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(Encoder);

class WorldModelImpl : public torch::nn::Module {
 public:
  WorldModelImpl(const ModelConfig& config, int action_dim);

  const ModelConfig& config() const { return config_; }
  int action_dim() const { return action_dim_; }
  Encoder& encoder() { return encoder_; }
  DynamicsCore& dynamics() { return *dynamics_; }
  FrameDecoder& decoder() { return *decoder_; }

 private:
  ModelConfig config_;
  int action_dim_;
  Encoder encoder_{nullptr};
  std::shared_ptr<FrameDecoder> decoder_;
  std::shared_ptr<DynamicsCore> dynamics_;
};
TORCH_MODULE(WorldModel);

std::int64_t parameter_count(torch::nn::Module& module);

}  // namespace dw::model
