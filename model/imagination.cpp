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

void replace_rows(ImaginationState& state, const std::vector<std::int64_t>& rows, const ImaginationState& part) {
  TORCH_CHECK(part.latent.tensors.size() == state.latent.tensors.size(), "replace_rows: another state");
  if (rows.empty()) return;
  const torch::Tensor index = row_index(rows, state.last_frame.device());
  const auto replace = [&index](const torch::Tensor& batch, const torch::Tensor& rows_of_part) {
    return batch.index_copy(0, index, rows_of_part.to(batch.scalar_type()));
  };
  for (size_t i = 0; i < state.latent.tensors.size(); ++i) {
    state.latent.tensors[i] = replace(state.latent.tensors[i], part.latent.tensors[i]);
  }
  // An undefined track is the identity; a mix of defined and undefined needs it spelled out.
  if (state.anchor_track.defined() || part.anchor_track.defined()) {
    const auto track = [](const ImaginationState& s) {
      return s.anchor_track.defined() ? s.anchor_track : identity_anchor_track(s.last_frame);
    };
    state.anchor_track = replace(track(state), track(part));
  }
  state.last_frame = replace(state.last_frame, part.last_frame);
  state.anchor_frame = replace(state.anchor_frame, part.anchor_frame);
}

void replace_rows(ImaginationState& state, const std::vector<std::int64_t>& rows,
                  const std::vector<ImaginationState>& states) {
  TORCH_CHECK(rows.size() == states.size(), "replace_rows: one state per row");
  if (rows.empty()) return;
  const auto cat = [&states](const std::function<torch::Tensor(const ImaginationState&)>& part) {
    std::vector<torch::Tensor> parts;
    for (const auto& row : states) parts.push_back(part(row));
    return torch::cat(parts);
  };
  ImaginationState joined;
  for (size_t i = 0; i < state.latent.tensors.size(); ++i) {
    TORCH_CHECK(states.front().latent.tensors.size() == state.latent.tensors.size(), "replace_rows: another state");
    joined.latent.tensors.push_back(cat([i](const ImaginationState& r) { return r.latent.tensors[i]; }));
  }
  bool any_track = false;
  for (const auto& row : states) any_track = any_track || row.anchor_track.defined();
  if (any_track) {
    joined.anchor_track = cat([](const ImaginationState& r) {
      return r.anchor_track.defined() ? r.anchor_track : identity_anchor_track(r.last_frame);
    });
  }
  joined.last_frame = cat([](const ImaginationState& r) { return r.last_frame; });
  joined.anchor_frame = cat([](const ImaginationState& r) { return r.anchor_frame; });
  replace_rows(state, rows, joined);
}

ImaginationState repeat_row(const ImaginationState& state, std::vector<at::Generator> noise) {
  TORCH_CHECK(state.noise.size() == 1, "repeat_row: a one-row state");
  const auto batch = static_cast<std::int64_t>(noise.size());
  const auto repeat = [batch](const torch::Tensor& tensor) {
    if (!tensor.defined()) return tensor;
    std::vector<std::int64_t> shape = tensor.sizes().vec();
    shape[0] = batch;
    return tensor.expand(shape).contiguous();
  };
  ImaginationState out;
  for (const auto& tensor : state.latent.tensors) out.latent.tensors.push_back(repeat(tensor));
  out.last_frame = repeat(state.last_frame);
  out.anchor_frame = repeat(state.anchor_frame);
  out.anchor_track = repeat(state.anchor_track);
  out.noise = std::move(noise);
  out.observed = state.observed;
  return out;
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

torch::Tensor Imagination::imagine_or_observe(ImaginationState& state, const torch::Tensor& action, float temperature,
                                              const std::vector<std::int64_t>& seen, const torch::Tensor& frames,
                                              const torch::Tensor& embeddings) {
  if (seen.empty()) return imagine_latent(state, action, temperature);
  TORCH_CHECK(state.observed > 0 && state.anchor_frame.defined(), "imagine before any observed frame");
  const auto batch = static_cast<std::int64_t>(state.noise.size());
  std::vector<std::int64_t> imagined;
  for (std::int64_t b = 0, i = 0; b < batch; ++b) {
    if (i < static_cast<std::int64_t>(seen.size()) && seen[static_cast<size_t>(i)] == b) {
      ++i;
    } else {
      imagined.push_back(b);
    }
  }
  const torch::Device device = state.last_frame.device();
  const auto rows_of = [&state, &device](const std::vector<std::int64_t>& rows, const DynamicsState& latent,
                                         std::vector<at::Generator>& noise) {
    const torch::Tensor index = row_index(rows, device);
    DynamicsState out;
    for (const auto& tensor : latent.tensors) out.tensors.push_back(tensor.defined() ? tensor.index_select(0, index) : tensor);
    for (const std::int64_t b : rows) noise.push_back(state.noise.at(static_cast<size_t>(b)));  // shared streams
    return out;
  };
  DynamicsCore& dynamics = model_->dynamics();
  const DynamicsState next = dynamics.advance(state.latent, action);
  std::vector<at::Generator> seen_noise;
  const torch::Tensor seen_index = row_index(seen, device);
  torch::Tensor z = sample(dynamics.posterior(rows_of(seen, next, seen_noise), embeddings), temperature, seen_noise);
  if (!imagined.empty()) {
    std::vector<at::Generator> imagined_noise;
    const torch::Tensor imagined_z =
        sample(dynamics.prior(rows_of(imagined, next, imagined_noise)), temperature, imagined_noise);
    std::vector<std::int64_t> shape = imagined_z.sizes().vec();
    shape[0] = batch;
    z = torch::empty(shape, z.options()).index_copy(0, seen_index, z).index_copy(0, row_index(imagined, device), imagined_z);
  }
  state.latent = dynamics.with_sample(next, z);
  // A seen frame is the new previous frame and anchor, as observe() makes it.
  const torch::Tensor seen_frames = frames.to(state.last_frame.scalar_type());
  state.last_frame = state.last_frame.index_copy(0, seen_index, seen_frames);
  state.anchor_frame = state.anchor_frame.index_copy(0, seen_index, seen_frames);
  if (state.anchor_track.defined()) {
    state.anchor_track = state.anchor_track.index_copy(0, seen_index, identity_anchor_track(seen_frames));
  }
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
