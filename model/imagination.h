// The imagination engine: the one loop that observes true frames through the posterior and then
// imagines from actions alone through the prior, feeding each imagined frame back as the
// decoder's previous frame. Training's loss (model/sequence.h), the Simulator (and through it
// eval, rollout, the viewer and the benches) all step the model through it, so they cannot
// disagree. Every trajectory draws its noise from its own stream seeded from (seed, b): a batch
// gives exactly the samples of B single runs.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "model/dynamics.h"
#include "model/frame_decoder.h"
#include "model/world_model.h"

namespace dw::model {

struct ImaginationState {
  DynamicsState latent;
  torch::Tensor last_frame;           // observed or imagined: the decoder's previous frame
  torch::Tensor anchor_frame;         // the last observed frame (decoder.anchor, decoder.track_anchor)
  torch::Tensor anchor_track;         // where last_frame's pixels sit in the anchor (PreviousFrames)
  std::vector<at::Generator> noise;   // one stream per trajectory
  int observed = 0;                   // true frames seen so far
  ImaginationState clone() const;
};

// Row b of a batched state as a one-row state of views (no copy, no noise stream): what the place
// memory (model/place_memory.h) keeps of a step.
ImaginationState state_row(const ImaginationState& state, std::int64_t b);
// `rows` as an index tensor on `device`, for index_select / index_copy over a batch.
torch::Tensor row_index(const std::vector<std::int64_t>& rows, const torch::Device& device);
// The rows `rows` of a batched state as one smaller batch (new tensors), with their noise streams
// (shared, so drawing from them advances the rows' own streams).
ImaginationState select_rows(const ImaginationState& state, const std::vector<std::int64_t>& rows);
// Replaces rows[i] of `state` by the one-row states[i], out of place (new tensors), so views kept
// of the old ones stay as they were. The rows keep their noise streams: a recalled place does not
// rewind the randomness.
void replace_rows(ImaginationState& state, const std::vector<std::int64_t>& rows,
                  const std::vector<ImaginationState>& states);
// The same with the rows' new states as one batch `part` of rows.size() rows.
void replace_rows(ImaginationState& state, const std::vector<std::int64_t>& rows, const ImaginationState& part);

// The one-row `state` repeated over a batch of noise.size() rows, each row with its own stream of
// `noise` (new tensors).
ImaginationState repeat_row(const ImaginationState& state, std::vector<at::Generator> noise);

// What training needs of an observed frame: the KL's two sides and the decoder's reconstruction.
struct Observation {
  Gaussian prior;
  Gaussian posterior;
  DecodedFrame reconstruction;  // only when asked for
};

// One noise stream per trajectory, seeded from (seed, b) for b = first .. first + batch - 1 (a
// data-parallel shard starts at its first row of the global batch).
std::vector<at::Generator> noise_streams(std::uint64_t seed, std::int64_t batch, std::int64_t first = 0);

// A standard-normal sample shaped like `like` [N, ...], row b drawn on the CPU from noise[b]
// (so a seed gives the same samples on any device and in any batch).
torch::Tensor per_trajectory_normal(const torch::Tensor& like, std::vector<at::Generator>& noise);

class Imagination {
 public:
  explicit Imagination(WorldModel model) : model_(std::move(model)) {}

  ImaginationState start(std::int64_t batch, std::uint64_t seed, const torch::Device& device,
                         std::int64_t first_trajectory = 0);
  // Sees the true frame [N,3,H,W] that `action` [N,A] led to (ignored for the first frame).
  // The latent is the posterior mean plus temperature x std x noise. With `reconstruct` the
  // decoder also rebuilds the frame from the previous one (its loss scores it against `frame`).
  // `embedding`: the encoder's output for `frame` when already computed (a batched pass). With
  // `feed_back_reconstruction` the decoder's (detached) frame, not `frame`, becomes the next
  // previous frame: the latent sees the truth while the pixels run free, as in a rollout.
  Observation observe(ImaginationState& state, const torch::Tensor& frame, const torch::Tensor& action,
                      float temperature, bool reconstruct = false, const torch::Tensor& embedding = {},
                      bool feed_back_reconstruction = false);
  // One imagined step from `action`: the prior's mean plus temperature x std x noise, decoded
  // from the previous frame. With a `target` the decoder's loss scores the frame. In training
  // (grad mode on) the frame fed back is detached, as a rollout sees it.
  DecodedFrame imagine(ImaginationState& state, const torch::Tensor& action, float temperature,
                       const torch::Tensor& target = {});
  // imagine() in its two halves: the latent's step from `action` (returns the features the decoder
  // reads), then the frame decoded from them and the state's previous frames. The latent never
  // reads a pixel, so a caller that needs only some frames can decode later, or not at all where a
  // true frame replaces the imagined one first; with a decoder that draws no noise the frames are
  // the same.
  torch::Tensor imagine_latent(ImaginationState& state, const torch::Tensor& action, float temperature);
  DecodedFrame decode(ImaginationState& state, const torch::Tensor& features, const torch::Tensor& target = {});
  // One step of a batch in which the rows `seen` (ascending) see true frames `frames` [S,3,H,W]
  // (the encoder's outputs `embeddings`) after `action`, as observe() without reconstruction, and
  // the others imagine, as imagine_latent(). The action's step is taken once for the whole batch,
  // and a row that sees needs no prior: a planner's population, many of whose rows see a recalled
  // view at each step, pays for one step, not two. Returns every row's features; the decoder
  // needs those of the rows that imagined only.
  torch::Tensor imagine_or_observe(ImaginationState& state, const torch::Tensor& action, float temperature,
                                   const std::vector<std::int64_t>& seen, const torch::Tensor& frames,
                                   const torch::Tensor& embeddings);
  // True when decode() draws no noise (every decoder but denoise), so when it runs does not matter.
  bool decoder_is_deterministic() const;

  WorldModel& model() { return model_; }

 private:
  torch::Tensor sample(const Gaussian& dist, float temperature, std::vector<at::Generator>& noise) const;
  WorldModel model_;
};

}  // namespace dw::model
