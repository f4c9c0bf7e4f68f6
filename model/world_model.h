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

// The previous frame at every decoder resolution, finest first ([N,3,H,W] centred, then one
// stride-2 stage per decoder stage above the latent map).
class FrameSkipsImpl : public torch::nn::Module {
 public:
  explicit FrameSkipsImpl(const ModelConfig& config);
  std::vector<torch::Tensor> forward(const torch::Tensor& frame);

 private:
  torch::nn::ModuleList stages_{nullptr};
};
TORCH_MODULE(FrameSkips);

class DecoderImpl : public torch::nn::Module {
 public:
  explicit DecoderImpl(const ModelConfig& config);
  // features [N,S+Z,h,w] -> frames [N,3,H,W] in [0,1]. previous_frame [N,3,H,W] in [0,1] is
  // warped and corrected when ModelConfig::previous_frame is "warp" (ignored for "none").
  torch::Tensor forward(const torch::Tensor& features, const torch::Tensor& previous_frame);

 private:
  torch::Tensor warp(const torch::Tensor& frame, const torch::Tensor& coarse_features);
  torch::nn::Sequential stem_{nullptr};
  torch::nn::ModuleList upsample_{nullptr};  // one stride-2 stage per encoder stage
  // previous_frame "warp" only:
  torch::nn::Conv2d flow_{nullptr};          // first upsampled stage -> (dx, dy)
  FrameSkips skips_{nullptr};                // the warped frame at every resolution
  torch::nn::ModuleList fuse_{nullptr};      // [stage output, skip] -> stage channels
  torch::nn::Conv2d head_{nullptr};
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
  // previous_frame [N,3,H,W] in [0,1]: the frame before this one, used as the config's
  // previous_frame says. An undefined tensor stands for "no frame yet" (a grey frame).
  torch::Tensor decode(const LatentState& state, const torch::Tensor& previous_frame = {});
  Encoder& encoder() { return encoder_; }

 private:
  ModelConfig config_;
  int action_dim_;
  Encoder encoder_{nullptr};
  Decoder decoder_{nullptr};
  torch::nn::Sequential input_{nullptr};   // [z, action] -> GRU input
  ConvGruCell cell_{nullptr};
  torch::nn::Sequential prior_{nullptr};   // h -> (mean, std)
  torch::nn::Sequential posterior_{nullptr};  // [h, e] -> (mean, std)
  Gaussian split_gaussian(const torch::Tensor& stats) const;
};
TORCH_MODULE(WorldModel);

int64_t parameter_count(torch::nn::Module& module);

// Samples frame [N,C,H,W] at (x + dx, y + dy) for flow [N,2,H,W] in normalised units (2 = the
// whole width or height), bilinear, clamped at the border. A zero flow returns the frame.
torch::Tensor warp_frame(const torch::Tensor& frame, const torch::Tensor& flow);

}  // namespace dw::model
