#include "model/sequence.h"

namespace dw::model {

torch::Tensor normal_like(const torch::Tensor& like, at::Generator& noise) {
  auto sample = torch::randn(like.sizes(), noise, torch::TensorOptions().dtype(torch::kFloat32));
  return sample.to(like.device(), like.scalar_type());
}

torch::Tensor gaussian_kl(const Gaussian& q, const Gaussian& p) {
  auto q_var = q.std.square();
  auto p_var = p.std.square();
  auto kl = torch::log(p.std / q.std) + (q_var + (q.mean - p.mean).square()) / (2.0 * p_var) - 0.5;
  return kl.sum(1);
}

torch::Tensor action_at(const torch::Tensor& actions, int64_t t) {
  if (actions.size(2) == 0) return {};
  return actions.select(1, t);
}

namespace {

// DreamerV3's balancing: most of the gradient moves the prior towards the posterior, a little
// moves the posterior towards the prior; each side gets free bits so a tiny KL is not squeezed.
torch::Tensor balanced_kl(const Gaussian& post, const Gaussian& prior, const TrainConfig& train,
                          int64_t locations) {
  const Gaussian post_stopped{post.mean.detach(), post.std.detach()};
  const Gaussian prior_stopped{prior.mean.detach(), prior.std.detach()};
  auto to_prior = gaussian_kl(post_stopped, prior).sum({1, 2}).mean();
  auto to_post = gaussian_kl(post, prior_stopped).sum({1, 2}).mean();
  const double free = static_cast<double>(train.free_bits) * static_cast<double>(locations);
  return train.kl_balance * torch::clamp_min(to_prior, free) +
         (1.0 - train.kl_balance) * torch::clamp_min(to_post, free);
}

// The frame before step t as the decoder may see it: the true one while observing (and for the
// first prediction), the model's own (detached) prediction after that, as in a rollout.
torch::Tensor previous_frame(const torch::Tensor& frames, const std::vector<torch::Tensor>& decoded,
                             int64_t t, int64_t context) {
  if (t == 0) return {};
  if (t <= context) return frames.select(1, t - 1);
  return decoded[static_cast<size_t>(t - 1)].detach();
}

torch::Tensor frame_mse(const torch::Tensor& predicted, const torch::Tensor& truth) {
  return (predicted.to(torch::kFloat32) - truth).square().mean();
}

}  // namespace

LossTerms sequence_loss(WorldModel& model, const torch::Tensor& frames, const torch::Tensor& actions,
                        const TrainConfig& train, at::Generator& noise) {
  const int64_t batch = frames.size(0);
  const int64_t steps = frames.size(1);
  const int64_t context = model->config().context;
  TORCH_CHECK(steps > context, "a training window needs more frames than the context");
  const int64_t locations = int64_t{model->config().latent_width()} * model->config().latent_height();
  const double pixels = static_cast<double>(frames[0][0].numel());

  // Only the context frames are encoded: the predicted ones are never seen by the model.
  auto embeddings = model->encoder()->forward(frames.slice(1, 0, context).flatten(0, 1));
  embeddings = embeddings.unflatten(0, {batch, context});

  LatentState state = model->initial_state(batch, frames.device());
  torch::Tensor kl_loss = torch::zeros({}, frames.options());
  torch::Tensor kl_value = torch::zeros({}, frames.options());
  std::vector<torch::Tensor> decoded;
  for (int64_t t = 0; t < steps; ++t) {
    LatentState next;
    next.h = t == 0 ? state.h : model->advance(state, action_at(actions, t - 1));
    Gaussian prior = model->prior(next.h);
    if (t < context) {
      Gaussian post = model->posterior(next.h, embeddings.select(1, t));
      next.z = post.mean + post.std * normal_like(post.mean, noise);
      kl_loss = kl_loss + balanced_kl(post, prior, train, locations) / static_cast<double>(context);
      kl_value = kl_value + gaussian_kl(post, prior).sum({1, 2}).mean().detach() / double(context);
    } else {
      next.z = prior.mean;  // open loop: the deterministic prediction that evaluation scores
    }
    decoded.push_back(model->decode(next, previous_frame(frames, decoded, t, context)));
    state = next;
  }
  auto predicted = torch::stack(decoded, 1);
  LossTerms terms;
  terms.context_mse = frame_mse(predicted.slice(1, 0, context), frames.slice(1, 0, context));
  terms.open_loop_mse = frame_mse(predicted.slice(1, context), frames.slice(1, context));
  terms.kl = kl_value;
  // Squared error summed per frame (not averaged per pixel) keeps it on the KL's nat scale.
  terms.total = pixels * (train.context_weight * terms.context_mse + terms.open_loop_mse) +
                train.kl_weight * kl_loss;
  return terms;
}

torch::Tensor predict_open_loop(WorldModel& model, const torch::Tensor& context,
                                const torch::Tensor& actions, int horizon, float temperature,
                                at::Generator& noise) {
  const int64_t batch = context.size(0);
  const int64_t observed = context.size(1);
  LatentState state = model->initial_state(batch, context.device());
  std::vector<torch::Tensor> predicted;
  torch::Tensor last_frame = context.select(1, observed - 1);
  for (int64_t t = 0; t < observed + horizon; ++t) {
    LatentState next;
    next.h = t == 0 ? state.h : model->advance(state, action_at(actions, t - 1));
    Gaussian dist = t < observed
                        ? model->posterior(next.h, model->encoder()->forward(context.select(1, t)))
                        : model->prior(next.h);
    next.z = dist.mean;
    if (temperature > 0.0f) next.z = dist.mean + temperature * dist.std * normal_like(dist.mean, noise);
    if (t >= observed) {
      last_frame = model->decode(next, last_frame);
      predicted.push_back(last_frame.to(torch::kFloat32));
    }
    state = next;
  }
  return torch::stack(predicted, 1);
}

}  // namespace dw::model
