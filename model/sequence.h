// The training objective over a whole window, stepped through the imagination engine: the first
// frames observed through the posterior (reconstructed, with the balanced KL and free bits), the
// rest imagined from actions alone with the decoder's loss on every imagined frame.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "model/config.h"
#include "model/distributed.h"
#include "model/dynamics.h"
#include "model/world_model.h"

namespace dw::model {

struct LossTerms {
  torch::Tensor total;          // what is minimised
  torch::Tensor context_mse;    // per-pixel MSE of the reconstructed observed frames
  torch::Tensor open_loop_mse;  // per-pixel MSE of the imagined frames
  torch::Tensor kl;             // KL(posterior || prior) per frame, in nats, before free bits
  torch::Tensor kl_term;        // the balanced, free-bits KL part of `total`
};

// Data-parallel training: this process holds `shard` of the global batch. Its loss terms are
// weighted by the shard's share of the global batch, so gradients summed over the ranks are the
// global batch's. The free-bits clamp is not linear in the batch: it is taken on the global
// batch's KL (`sum_over_ranks` returns a tensor's sum over all ranks), with each shard's gradient
// flowing through its own share. `kl_term` then has the global value on every rank; the other
// terms are this shard's shares of the global values.
struct ShardedLoss {
  BatchShard shard;
  std::function<torch::Tensor(const torch::Tensor&)> sum_over_ranks;
};
// frames [B, T, 3, H, W] in [0,1]; actions [B, T-1, A] (A = 0: an empty last dimension). The
// first `observed` frames (1..T-1) are seen, the rest imagined. `seed` seeds the per-trajectory
// noise streams of the posterior samples (drawn on the CPU: the same run on any device). With
// `sharded`, frames and actions are the shard's rows only.
LossTerms sequence_loss(WorldModel& model, const torch::Tensor& frames, const torch::Tensor& actions,
                        const TrainConfig& train, int observed, std::uint64_t seed,
                        const ShardedLoss* sharded = nullptr);

// How many frames the training batch of `step` observes: the model's context, or with
// train.min_context > 0 a draw in min_context..context seeded by (seed, step).
int observed_frames(const Config& config, std::uint64_t seed, std::int64_t step);

// KL(q || p) of diagonal Gaussians, summed over channels: [N, h, w].
torch::Tensor gaussian_kl(const Gaussian& q, const Gaussian& p);

// The action [N, A] at step t, or an undefined tensor when A = 0.
torch::Tensor action_at(const torch::Tensor& actions, std::int64_t t);

}  // namespace dw::model
