// The dynamics core seam: what carries the world from one step to the next. The engine
// (model/imagination.h) drives a core only through this interface and never looks inside its
// state, so a core with another state (a transformer over a memory, a state-space model) is one
// new file plus a DynamicsType entry. The RSSM (model/rssm.cpp) is the first implementation.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "model/config.h"

namespace dw::model {

// Mean and std of a per-location diagonal Gaussian.
struct Gaussian {
  torch::Tensor mean;
  torch::Tensor std;
};

// A core's recurrent state, opaque to callers: tensors with the batch as their first dimension
// that the engine may clone and move but never interpret.
struct DynamicsState {
  std::vector<torch::Tensor> tensors;
  DynamicsState clone() const;
};

class DynamicsCore : public torch::nn::Module {
 public:
  virtual DynamicsState initial_state(std::int64_t batch, const torch::Device& device) const = 0;
  // The deterministic transition into the next step, given the action that led there ([N,A];
  // undefined when the schema has no actions). The result still needs its latent sample.
  virtual DynamicsState advance(const DynamicsState& state, const torch::Tensor& action) = 0;
  virtual Gaussian prior(const DynamicsState& state) = 0;
  // The posterior given the encoder's embedding of the true frame of this step.
  virtual Gaussian posterior(const DynamicsState& state, const torch::Tensor& embedding) = 0;
  virtual DynamicsState with_sample(const DynamicsState& state, const torch::Tensor& z) const = 0;
  // What the frame decoder sees: [N, feature_channels(), latent_height, latent_width].
  virtual torch::Tensor features(const DynamicsState& state) const = 0;
  virtual int feature_channels() const = 0;
};

std::shared_ptr<DynamicsCore> make_dynamics(const ModelConfig& config, int action_dim);
// feature_channels() of the core the config chooses, without building it.
int dynamics_feature_channels(const ModelConfig& config);

}  // namespace dw::model
