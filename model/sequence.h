// The training objective over a whole window, stepped through the imagination engine: the first
// frames observed through the posterior (reconstructed, with the balanced KL and free bits), the
// rest imagined from actions alone with the decoder's loss on every imagined frame.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "model/config.h"
#include "model/dynamics.h"
#include "model/world_model.h"

namespace dw::model {

struct LossTerms {
  torch::Tensor total;          // what is minimised
  torch::Tensor context_mse;    // per-pixel MSE of the reconstructed observed frames
  torch::Tensor open_loop_mse;  // per-pixel MSE of the imagined frames
  torch::Tensor kl;             // KL(posterior || prior) per frame, in nats, before free bits
};

// frames [B, T, 3, H, W] in [0,1]; actions [B, T-1, A] (A = 0: an empty last dimension). The
// first `observed` frames (1..T-1) are seen, the rest imagined. `seed` seeds the per-trajectory
// noise streams of the posterior samples (drawn on the CPU: the same run on any device).
LossTerms sequence_loss(WorldModel& model, const torch::Tensor& frames, const torch::Tensor& actions,
                        const TrainConfig& train, int observed, std::uint64_t seed);

// How many frames the training batch of `step` observes: the model's context, or with
// train.min_context > 0 a draw in min_context..context seeded by (seed, step).
int observed_frames(const Config& config, std::uint64_t seed, std::int64_t step);

// KL(q || p) of diagonal Gaussians, summed over channels: [N, h, w].
torch::Tensor gaussian_kl(const Gaussian& q, const Gaussian& p);

// The action [N, A] at step t, or an undefined tensor when A = 0.
torch::Tensor action_at(const torch::Tensor& actions, std::int64_t t);

}  // namespace dw::model
