// What the model does with a whole window: the training objective (posterior over the context,
// then open-loop prediction from actions alone with the loss on every predicted frame, plus the
// balanced KL with free bits) and plain open-loop prediction for validation and previews.
#pragma once

#include <torch/torch.h>

#include "model/config.h"
#include "model/world_model.h"

namespace dw::model {

struct LossTerms {
  torch::Tensor total;          // what is minimised
  torch::Tensor context_mse;    // per-pixel MSE of the reconstructed context frames
  torch::Tensor open_loop_mse;  // per-pixel MSE of the predicted frames
  torch::Tensor kl;             // KL(posterior || prior) per frame, in nats, before free bits
};

// frames [B, C+H, 3, H, W] in [0,1]; actions [B, C+H-1, A] (A = 0: an empty last dimension).
// `noise` draws the posterior samples (on the CPU, so a seed gives the same run on any device).
LossTerms sequence_loss(WorldModel& model, const torch::Tensor& frames, const torch::Tensor& actions,
                        const TrainConfig& train, at::Generator& noise);

// Observes `context` [B, C, 3, H, W] with the actions between them, then predicts `horizon`
// frames from the following actions alone. actions: [B, C-1+horizon, A]. temperature 0 = mean.
torch::Tensor predict_open_loop(WorldModel& model, const torch::Tensor& context,
                                const torch::Tensor& actions, int horizon, float temperature,
                                at::Generator& noise);

// A standard-normal sample shaped like `like`, drawn on the CPU from `noise`.
torch::Tensor normal_like(const torch::Tensor& like, at::Generator& noise);

// KL(q || p) of diagonal Gaussians, summed over channels: [N, h, w].
torch::Tensor gaussian_kl(const Gaussian& q, const Gaussian& p);

// The action [N, A] at step t, or an undefined tensor when A = 0.
torch::Tensor action_at(const torch::Tensor& actions, int64_t t);

}  // namespace dw::model
