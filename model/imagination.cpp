#include "model/imagination.h"

#include <ATen/CPUGeneratorImpl.h>

#include <functional>

#include "nav/random.h"

namespace dw::model {
namespace {

PreviousFrames previous_frames(const ImaginationState& state) {
  return {state.last_frame, state.anchor_frame, state.anchor_track};
}

torch::Tensor detached(const torch::Tensor& tensor) { return tensor.defined() ? tensor.detach() : tensor; }

}  // namespace

ImaginationState ImaginationState::clone() const {
  ImaginationState copy;
  copy.latent = latent.clone();
  if (last_frame.defined()) copy.last_frame = last_frame.clone();
  if (anchor_frame.defined()) copy.anchor_frame = anchor_frame.clone();
  if (anchor_track.defined()) copy.anchor_track = anchor_track.clone();
  for (const auto& generator : noise) copy.noise.push_back(generator.clone());
  copy.observed = observed;
  return copy;
}

ImaginationState state_row(const ImaginationState& state, std::int64_t b) {
  const auto row = [b](const torch::Tensor& tensor) { return tensor.defined() ? tensor.narrow(0, b, 1) : tensor; };
  ImaginationState out;
  for (const auto& tensor : state.latent.tensors) out.latent.tensors.push_back(row(tensor));
  out.last_frame = row(state.last_frame);
  out.anchor_frame = row(state.anchor_frame);
  out.anchor_track = row(state.anchor_track);
  out.observed = state.observed;
  return out;
}

torch::Tensor row_index(const std::vector<std::int64_t>& rows, const torch::Device& device) {
  return torch::tensor(rows, torch::TensorOptions().dtype(torch::kLong)).to(device);
}

ImaginationState select_rows(const ImaginationState& state, const std::vector<std::int64_t>& rows) {
  const torch::Tensor index = row_index(rows, state.last_frame.device());
  const auto pick = [&index](const torch::Tensor& tensor) {
    return tensor.defined() ? tensor.index_select(0, index) : tensor;
  };
  ImaginationState out;
  for (const auto& tensor : state.latent.tensors) out.latent.tensors.push_back(pick(tensor));
  out.last_frame = pick(state.last_frame);
  out.anchor_frame = pick(state.anchor_frame);
  out.anchor_track = pick(state.anchor_track);
  for (const std::int64_t b : rows) out.noise.push_back(state.noise.at(static_cast<std::size_t>(b)));
  out.observed = state.observed;
  return out;
}

void replace_rows(ImaginationState& state, const std::vector<std::int64_t>& rows,
                  const std::vector<ImaginationState>& states) {
  TORCH_CHECK(rows.size() == states.size(), "replace_rows: one state per row");
  if (rows.empty()) return;
  const torch::Tensor index = row_index(rows, state.last_frame.device());
  using Part = std::function<torch::Tensor(const ImaginationState&)>;
  const auto replace = [&](const torch::Tensor& batch, const Part& part) {
    std::vector<torch::Tensor> parts;
    for (const auto& row : states) parts.push_back(part(row).to(batch.scalar_type()));
    return batch.index_copy(0, index, torch::cat(parts));
  };
  for (size_t i = 0; i < state.latent.tensors.size(); ++i) {
    TORCH_CHECK(states.front().latent.tensors.size() == state.latent.tensors.size(), "replace_rows: another state");
    state.latent.tensors[i] = replace(state.latent.tensors[i], [i](const ImaginationState& r) { return r.latent.tensors[i]; });
  }
  // An undefined track is the identity; a mix of defined and undefined needs it spelled out.
  bool any_track = state.anchor_track.defined();
  for (const auto& row : states) any_track = any_track || row.anchor_track.defined();
  if (any_track) {
    const auto track = [](const ImaginationState& s) {
      return s.anchor_track.defined() ? s.anchor_track : identity_anchor_track(s.last_frame);
    };
    state.anchor_track = replace(track(state), track);
  }
  state.last_frame = replace(state.last_frame, [](const ImaginationState& r) { return r.last_frame; });
  state.anchor_frame = replace(state.anchor_frame, [](const ImaginationState& r) { return r.anchor_frame; });
}

std::vector<at::Generator> noise_streams(std::uint64_t seed, std::int64_t batch, std::int64_t first) {
  std::vector<at::Generator> streams;
  for (std::int64_t b = first; b < first + batch; ++b) {
    streams.push_back(at::make_generator<at::CPUGeneratorImpl>(nav::mix_seed(seed, static_cast<std::uint64_t>(b))));
  }
  return streams;
}

torch::Tensor per_trajectory_normal(const torch::Tensor& like, std::vector<at::Generator>& noise) {
  TORCH_CHECK(static_cast<std::int64_t>(noise.size()) == like.size(0), "one noise stream per trajectory");
  std::vector<torch::Tensor> rows;
  for (auto& generator : noise) {
    rows.push_back(torch::randn(like[0].sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32)));
  }
  return torch::stack(rows).to(like.device(), like.scalar_type());
}

ImaginationState Imagination::start(std::int64_t batch, std::uint64_t seed, const torch::Device& device,
                                    std::int64_t first_trajectory) {
  ImaginationState state;
  state.latent = model_->dynamics().initial_state(batch, device);
  state.noise = noise_streams(seed, batch, first_trajectory);
  return state;
}

torch::Tensor Imagination::sample(const Gaussian& dist, float temperature, std::vector<at::Generator>& noise) const {
  if (temperature <= 0.0f) return dist.mean;
  return dist.mean + temperature * dist.std * per_trajectory_normal(dist.mean, noise);
}

Observation Imagination::observe(ImaginationState& state, const torch::Tensor& frame, const torch::Tensor& action,
                                 float temperature, bool reconstruct, const torch::Tensor& embedding,
                                 bool feed_back_reconstruction) {
  DynamicsCore& dynamics = model_->dynamics();
  // The first frame starts from the initial state; later ones first take the action's step.
  DynamicsState next = state.observed == 0 ? state.latent : dynamics.advance(state.latent, action);
  Observation observation;
  if (reconstruct) observation.prior = dynamics.prior(next);
  observation.posterior =
      dynamics.posterior(next, embedding.defined() ? embedding : model_->encoder()->forward(frame));
  state.latent = dynamics.with_sample(next, sample(observation.posterior, temperature, state.noise));
  if (reconstruct) {
    observation.reconstruction =
        model_->decoder().decode(dynamics.features(state.latent), previous_frames(state), frame, state.noise);
  }
  if (feed_back_reconstruction) {
    state.last_frame = observation.reconstruction.frame.detach();
    state.anchor_track = detached(observation.reconstruction.anchor_track);
  } else {  // the pixels that ran free are not seen: a true frame is the new anchor
    state.last_frame = frame;
    state.anchor_frame = frame;
    state.anchor_track = torch::Tensor();
  }
  ++state.observed;
  return observation;
}

DecodedFrame Imagination::imagine(ImaginationState& state, const torch::Tensor& action, float temperature,
                                  const torch::Tensor& target) {
  const torch::Tensor features = imagine_latent(state, action, temperature);
  return decode(state, features, target);
}

torch::Tensor Imagination::imagine_latent(ImaginationState& state, const torch::Tensor& action, float temperature) {
  TORCH_CHECK(state.observed > 0, "imagine before any observed frame");
  DynamicsCore& dynamics = model_->dynamics();
  DynamicsState next = dynamics.advance(state.latent, action);
  state.latent = dynamics.with_sample(next, sample(dynamics.prior(next), temperature, state.noise));
  return dynamics.features(state.latent);
}

DecodedFrame Imagination::decode(ImaginationState& state, const torch::Tensor& features, const torch::Tensor& target) {
  DecodedFrame decoded = model_->decoder().decode(features, previous_frames(state), target, state.noise);
  state.last_frame = decoded.frame.detach();
  state.anchor_track = detached(decoded.anchor_track);
  return decoded;
}

bool Imagination::decoder_is_deterministic() const {
  return model_->config().decoder.type != DecoderType::denoise;
}

}  // namespace dw::model
