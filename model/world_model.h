// The networks: a conv encoder (frame -> spatial latent map), an RSSM over that map (a ConvGRU
// deterministic path plus a per-location Gaussian latent with prior p(z|h) and posterior
// q(z|h,e)), and a conv decoder ((h, z) -> frame in [0,1]). Model-internal (includes LibTorch).
#pragma once

#include <torch/torch.h>

#include "model/config.h"

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

// With `previous_frame` on: the previous frame at every decoder resolution, finest first
// ([N,3,H,W] centred, then one stride-2 stage per decoder stage above the latent map).
class FrameSkipsImpl : public torch::nn::Module {
 public:
  explicit FrameSkipsImpl(const ModelConfig& config);
  std::vector<torch::Tensor> forward(const torch::Tensor& frame);
  // Channels of skip i (0 = full resolution).
  const std::vector<int>& channels() const { return channels_; }

 private:
  std::vector<int> channels_;
  torch::nn::ModuleList stages_{nullptr};
};
TORCH_MODULE(FrameSkips);

class DecoderImpl : public torch::nn::Module {
 public:
  explicit DecoderImpl(const ModelConfig& config);
  // features [N,S+Z,h,w] (+ skips from FrameSkips when `previous_frame`) -> frames [N,3,H,W] in [0,1]
  torch::Tensor forward(const torch::Tensor& features, const std::vector<torch::Tensor>& skips = {});

 private:
  torch::nn::Sequential stem_{nullptr};
  torch::nn::ModuleList upsample_{nullptr};  // one stride-2 stage per encoder stage
  torch::nn::ModuleList fuse_{nullptr};      // [stage output, skip] -> stage channels (skips only)
  torch::nn::Sequential head_{nullptr};
};
TORCH_MODULE(Decoder);

// A convolutional GRU cell: the gates are 3x3 convolutions so the state stays a spatial map.
class ConvGruCellImpl : public torch::nn::Module {
 public:
  ConvGruCellImpl(int input_channels, int state_channels);
  torch::Tensor forward(const torch::Tensor& input, const torch::Tensor& state);

 private:
  torch::nn::Conv2d gates_{nullptr};      // reset + update from [input, state]
  torch::nn::Conv2d candidate_{nullptr};  // candidate from [input, reset * state]
};
TORCH_MODULE(ConvGruCell);

// Mean and std of a per-location diagonal Gaussian.
struct Gaussian {
  torch::Tensor mean;
  torch::Tensor std;
};

// The recurrent model state: deterministic h [N,S,h,w] and the latent sample z [N,Z,h,w].
struct LatentState {
  torch::Tensor h;
  torch::Tensor z;
};

class WorldModelImpl : public torch::nn::Module {
 public:
  WorldModelImpl(const ModelConfig& config, int action_dim);

  const ModelConfig& config() const { return config_; }
  int action_dim() const { return action_dim_; }

  LatentState initial_state(int64_t batch, const torch::Device& device) const;
  // Advances h with the previous z and the action that led here ([N,A]; undefined when A = 0).
  torch::Tensor advance(const LatentState& state, const torch::Tensor& action);
  Gaussian prior(const torch::Tensor& h);
  Gaussian posterior(const torch::Tensor& h, const torch::Tensor& embedding);
  // previous_frame [N,3,H,W] in [0,1]: the frame before this one; needed (only) when the config
  // has `previous_frame`, ignored otherwise. An undefined tensor stands for "none" (a grey frame).
  torch::Tensor decode(const LatentState& state, const torch::Tensor& previous_frame = {});
  bool uses_previous_frame() const { return config_.previous_frame; }
  Encoder& encoder() { return encoder_; }

 private:
  ModelConfig config_;
  int action_dim_;
  Encoder encoder_{nullptr};
  Decoder decoder_{nullptr};
  FrameSkips skips_{nullptr};
  torch::nn::Sequential input_{nullptr};   // [z, action] -> GRU input
  ConvGruCell cell_{nullptr};
  torch::nn::Sequential prior_{nullptr};   // h -> (mean, std)
  torch::nn::Sequential posterior_{nullptr};  // [h, e] -> (mean, std)
  Gaussian split_gaussian(const torch::Tensor& stats) const;
};
TORCH_MODULE(WorldModel);

int64_t parameter_count(torch::nn::Module& module);

}  // namespace dw::model
