#include "model/sequence.h"

#include <optional>

#include "model/imagination.h"
#include "nav/random.h"

namespace dw::model {

torch::Tensor gaussian_kl(const Gaussian& q, const Gaussian& p) {
  auto q_var = q.std.square();
  auto p_var = p.std.square();
  auto kl = torch::log(p.std / q.std) + (q_var + (q.mean - p.mean).square()) / (2.0 * p_var) - 0.5;
  return kl.sum(1);
}

torch::Tensor action_at(const torch::Tensor& actions, std::int64_t t) {
  if (actions.size(2) == 0) return {};
  return actions.select(1, t);
}

int observed_frames(const Config& config, std::uint64_t seed, std::int64_t step) {
  const int context = config.model.context;
  const int low = config.train.min_context;
  if (low <= 0 || low >= context) return context;
  const std::uint64_t draw = nav::mix_seed(nav::mix_seed(seed, static_cast<std::uint64_t>(step)), 0x636f6e74ull);
  return low + static_cast<int>(draw % static_cast<std::uint64_t>(context - low + 1));
}

namespace {

// The two sides of DreamerV3's balanced KL for one frame, as batch means: most of the gradient
// moves the prior towards the posterior, a little moves the posterior towards the prior.
struct KlSides {
  torch::Tensor to_prior;
  torch::Tensor to_post;
};

KlSides kl_sides(const Gaussian& post, const Gaussian& prior) {
  const Gaussian post_stopped{post.mean.detach(), post.std.detach()};
  const Gaussian prior_stopped{prior.mean.detach(), prior.std.detach()};
  return {gaussian_kl(post_stopped, prior).sum({1, 2}).mean(), gaussian_kl(post, prior_stopped).sum({1, 2}).mean()};
}

// This shard's batch means -> the global batch's, each shard's gradient flowing through its share.
torch::Tensor global_means(const torch::Tensor& means, const ShardedLoss& sharded) {
  const torch::Tensor mine = means * sharded.shard.share();
  return mine + (sharded.sum_over_ranks(mine.detach()) - mine.detach());
}

// The balanced KL summed over frames, each side with free bits so a tiny KL is not squeezed.
torch::Tensor balanced_kl(const std::vector<KlSides>& frames, const TrainConfig& train, std::int64_t locations,
                          const ShardedLoss* sharded, const torch::Tensor& zero) {
  if (frames.empty()) return zero;
  std::vector<torch::Tensor> sides;
  for (const KlSides& frame : frames) {
    sides.push_back(frame.to_prior);
    sides.push_back(frame.to_post);
  }
  torch::Tensor means = torch::stack(sides);
  if (sharded != nullptr) means = global_means(means, *sharded);
  const double free = static_cast<double>(train.free_bits) * static_cast<double>(locations);
  const torch::Tensor clamped = torch::clamp_min(means, free);
  torch::Tensor total = zero;
  for (std::size_t t = 0; t < frames.size(); ++t) {
    const auto i = static_cast<std::int64_t>(2 * t);
    total = total + (train.kl_balance * clamped[i] + (1.0 - train.kl_balance) * clamped[i + 1]);
  }
  return total;
}

// The per-window noise levels of train.context_noise ([N,1,1,1], U(0, max)) and the noise itself,
// from one stream per trajectory seeded by the step's seed and the trajectory (as the posterior's
// samples are), so training stays exact on resume and a trajectory's noise does not depend on
// which trajectories share its batch.
struct ContextNoise {
  std::vector<at::Generator> streams;
  torch::Tensor levels;
  // `first`: the global row of this batch's first trajectory (a data-parallel shard's offset).
  ContextNoise(std::int64_t batch, float max_level, std::uint64_t seed, std::int64_t first)
      : streams(noise_streams(nav::mix_seed(seed, 0x6e6f697365ull), batch, first)) {
    std::vector<torch::Tensor> rows;
    for (auto& stream : streams) rows.push_back(torch::rand({1, 1, 1}, stream));
    levels = torch::stack(rows) * max_level;
  }
  // The frame the decoder will warp next, noised and kept in [0, 1].
  torch::Tensor apply(const torch::Tensor& frame) {
    const torch::Tensor noise = per_trajectory_normal(frame, streams);
    return (frame + levels.to(frame.device(), frame.scalar_type()) * noise).clamp(0.0, 1.0);
  }
};

}  // namespace

LossTerms sequence_loss(WorldModel& model, const torch::Tensor& frames, const torch::Tensor& actions,
                        const TrainConfig& train, int observed, std::uint64_t seed, const ShardedLoss* sharded) {
  const std::int64_t batch = frames.size(0);
  const std::int64_t steps = frames.size(1);
  TORCH_CHECK(observed >= 1 && observed < steps, "a training window needs more frames than it observes");
  const std::int64_t locations = std::int64_t{model->config().latent_width()} * model->config().latent_height();
  // One batched encoder pass over the frames the posterior sees (only the observed ones, unless
  // the imagined ones are decoded from their posterior too).
  const std::int64_t encoded = train.open_loop_posterior ? steps : observed;
  auto embeddings = model->encoder()->forward(frames.slice(1, 0, encoded).flatten(0, 1)).unflatten(0, {batch, encoded});

  Imagination engine(model);
  ImaginationState state = engine.start(batch, seed, frames.device(), sharded ? sharded->shard.begin : 0);
  auto zero = torch::zeros({}, frames.options());
  std::vector<KlSides> kl_frames_sides;
  torch::Tensor kl_value = zero, context_loss = zero, context_mse = zero;
  torch::Tensor open_loss = zero, open_mse = zero;
  std::optional<ContextNoise> context_noise;
  if (train.context_noise > 0.0f) context_noise.emplace(batch, train.context_noise, seed, sharded ? sharded->shard.begin : 0);
  const auto noise_previous = [&](bool is_true_frame) {
    if (!context_noise || !state.last_frame.defined()) return;
    if (is_true_frame && !train.context_noise_true_frames) return;
    state.last_frame = context_noise->apply(state.last_frame);
  };
  for (std::int64_t t = 0; t < observed; ++t) {
    const Observation seen = engine.observe(state, frames.select(1, t), t == 0 ? torch::Tensor() : action_at(actions, t - 1),
                                            1.0f, true, embeddings.select(1, t));
    kl_frames_sides.push_back(kl_sides(seen.posterior, seen.prior));
    kl_value = kl_value + gaussian_kl(seen.posterior, seen.prior).sum({1, 2}).mean().detach();
    context_loss = context_loss + seen.reconstruction.loss;
    context_mse = context_mse + seen.reconstruction.mse.detach();
    noise_previous(true);
  }
  for (std::int64_t t = observed; train.open_loop_posterior && t < steps; ++t) {
    const Observation seen =
        engine.observe(state, frames.select(1, t), action_at(actions, t - 1), 1.0f, true, embeddings.select(1, t), true);
    kl_frames_sides.push_back(kl_sides(seen.posterior, seen.prior));
    kl_value = kl_value + gaussian_kl(seen.posterior, seen.prior).sum({1, 2}).mean().detach();
    open_loss = open_loss + seen.reconstruction.loss;
    open_mse = open_mse + seen.reconstruction.mse.detach();
    noise_previous(false);
  }
  for (std::int64_t t = train.open_loop_posterior ? steps : observed; t < steps; ++t) {
    // Open loop: the prior's mean, the deterministic prediction that evaluation scores.
    const DecodedFrame imagined = engine.imagine(state, action_at(actions, t - 1), 0.0f, frames.select(1, t));
    open_loss = open_loss + imagined.loss;
    open_mse = open_mse + imagined.mse.detach();
    noise_previous(false);
  }
  const double seen = static_cast<double>(observed), imagined = static_cast<double>(steps - observed);
  const double kl_frames = train.open_loop_posterior ? static_cast<double>(steps) : seen;
  // A shard's share of the global batch's means; in one process the terms as they are.
  const auto shared = [&](const torch::Tensor& term) { return sharded ? term * sharded->shard.share() : term; };
  LossTerms terms;
  terms.context_mse = shared(context_mse / seen);
  terms.open_loop_mse = shared(open_mse / imagined);
  terms.kl = shared(kl_value / kl_frames);
  terms.kl_term = train.kl_weight * balanced_kl(kl_frames_sides, train, locations, sharded, zero) / kl_frames;
  terms.total = shared(train.context_weight * context_loss / seen + open_loss / imagined) + terms.kl_term;
  return terms;
}

}  // namespace dw::model
