// Model and training sizes, read from a YAML file in configs/ and stored (as JSON) inside every
// checkpoint so a run can be rebuilt without the original file. Every field is listed once, with
// its key and its valid range, in config_fields.h: reading, writing and checking all use that
// list, so adding a field touches one place. Torch-free: the CLI and the viewer read configs
// without LibTorch headers.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace dw::model {

// The frame decoder (model/frame_decoder.h):
//   mean - the frame from the dynamics features alone (squared error: the average future);
//   warp - predicts a flow, warps the previous frame (the true one while observing, its own
//          prediction after), feeds it through skips and outputs it plus a correction;
//   denoise - the warp decoder's frame plus a residual sampled by a few-step EDM denoiser
//          conditioned on it (model/denoiser.h): one sharp future instead of the average.
enum class DecoderType { mean, warp, denoise };
// The dynamics core (model/dynamics.h): rssm - ConvGRU state plus a per-location Gaussian latent.
enum class DynamicsType { rssm };

// How the warping decoder resamples the previous frame. Every imagined step resamples the last
// imagined frame again, so the filter's loss of detail compounds over a walk: bilinear halves
// mid frequencies within a few steps, bicubic keeps more of them.
enum class Resample { bilinear, bicubic };

struct DecoderConfig {
  DecoderType type = DecoderType::mean;
  Resample resample = Resample::bilinear;  // warp only
  // Weight of the image-gradient loss beside the squared error: the mean absolute difference of
  // the prediction's and the truth's |dx| and |dy| (a blurred frame has too small gradients, which
  // the squared error alone barely punishes). 0 = squared error only.
  float gradient_weight = 0.0f;
  // warp only: also warp the last *observed* frame (the anchor) by a second flow and blend the
  // two warps by a predicted mask. Every imagined step re-warps its own blurred output, so
  // detail fades a little each step; the anchor is sharp however long the walk, wherever it is
  // still in view. Off by default (a new checkpoint layout: the "anchor" convolution).
  bool anchor = false;
  // warp only: warp the last observed frame (the anchor) by the composition of every step's flow
  // since it was seen, and use it wherever that pixel is still in view; the re-warped last frame
  // fills the rest. Each pixel is then resampled once from a sharp frame instead of once per
  // step. No parameters (any warp checkpoint can run with it); not together with `anchor`.
  bool track_anchor = false;
  // denoise only: denoiser evaluations per sampled frame (Euler steps of the EDM sampler), the
  // widths of its two resolutions (frame / 2 and frame / 4), and the share of the decoded
  // training frames it trains on (it is trained beside the warp decoder on detached inputs, so
  // a share of the frames keeps its cost down without starving it).
  int denoise_steps = 3;
  std::vector<int> denoise_channels{32, 48};
  float denoise_fraction = 0.25f;
};

struct DynamicsConfig {
  DynamicsType type = DynamicsType::rssm;
};

struct ModelConfig {
  int width = 64;
  int height = 64;
  int context = 4;                           // true frames seen before open-loop prediction
  std::vector<int> encoder_channels{32, 64};  // one stride-2 stage each: latent map = frame / 2^n
  int latent_channels = 16;                  // sampled Gaussian part, per latent location
  int state_channels = 64;                   // deterministic state, per location
  int hidden_channels = 64;                  // width of the prior/posterior/input heads
  float min_std = 0.1f;                      // floor of the latent std (keeps the KL finite)
  DecoderConfig decoder;
  DynamicsConfig dynamics;
  int latent_width() const { return width >> static_cast<int>(encoder_channels.size()); }
  int latent_height() const { return height >> static_cast<int>(encoder_channels.size()); }
};

struct TrainConfig {
  int batch = 16;
  int horizon = 8;                  // open-loop steps predicted from actions alone
  // Each batch observes a seeded random number of true frames in min_context..context and
  // imagines the rest of its window, so single-frame starts are trained (and some windows are
  // imagined for longer). 0 = always the full context.
  int min_context = 0;
  // The imagined frames of a window are decoded from the posterior of their true frame (the
  // prior learns to predict it through the balanced KL) instead of the prior's mean, while the
  // decoder is still fed its own previous frames. The decoder then learns one sharp future per
  // latent sample rather than the mean of all futures; rollouts sample the prior (temperature 1).
  bool open_loop_posterior = false;
  // GameNGen's noise augmentation, on the frame the decoder warps: in training only, that frame
  // (the true one in the context, the model's own after it) gets Gaussian noise whose std is drawn
  // per window from U(0, context_noise), so the decoder learns to repair a damaged input instead
  // of copying it forward. 0 = off. Imagination at inference never adds it.
  float context_noise = 0.0f;
  // Whether the true context frames are noised too (as GameNGen's context is), or only the
  // model's own frames fed back after them, so that the first imagined step still starts from a
  // clean true frame exactly as at inference.
  bool context_noise_true_frames = false;
  float learning_rate = 6e-4f;
  float kl_weight = 0.1f;
  float free_bits = 1.0f;           // nats per latent location below which the KL is not pushed
  float kl_balance = 0.8f;          // share of the KL gradient that trains the prior (DreamerV3)
  float context_weight = 1.0f;      // weight of the context-frame reconstruction loss
  float grad_clip = 100.0f;
  int eval_every = 500;
  int eval_windows = 256;           // bounded validation: at most this many val windows
  int keep_checkpoints = 3;         // older step_NNNNNN folders are pruned beyond this
  int threads = 0;                  // 0 = choose (see threads.h)
};

struct Config {
  std::string name = "small";
  ModelConfig model;
  TrainConfig train;
};

// Names of the enum values as they appear in configs; UserError naming `where` for others.
std::string to_string(DecoderType type);
std::string to_string(DynamicsType type);
std::string to_string(Resample resample);

// Reads a YAML config; unknown keys and bad values throw UserError naming the file and key.
Config load_config(const std::filesystem::path& path);
// Checks ranges; `where` names the source in the error message.
void check_config(const Config& config, const std::string& where);

void to_json(nlohmann::json& json, const Config& config);
// Throws UserError naming `where` when a field is missing or has the wrong type. Accepts the
// configs of earlier Dreamwalks too (model.previous_frame: none|warp).
Config config_from_json(const nlohmann::json& json, const std::string& where);

}  // namespace dw::model
