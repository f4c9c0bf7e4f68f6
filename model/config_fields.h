// The one list of config fields: key, member and valid range. A visitor walks it to read JSON,
// write JSON or check ranges (model/config.cpp). Internal to model/.
#pragma once

#include "model/config.h"

namespace dw::model {

struct Range {
  double low;
  double high;
  bool low_open = false;   // (low, ... instead of [low, ...
  bool high_open = false;
};

template <typename Visitor>
void visit_model_fields(ModelConfig& m, Visitor& v) {
  v.field("width", m.width, Range{8, 1024});
  v.field("height", m.height, Range{8, 1024});
  v.field("context", m.context, Range{1, 64});
  v.field("encoder_channels", m.encoder_channels, Range{1, 1024});
  v.field("latent_channels", m.latent_channels, Range{1, 1024});
  v.field("state_channels", m.state_channels, Range{1, 1024});
  v.field("hidden_channels", m.hidden_channels, Range{1, 1024});
  v.field("min_std", m.min_std, Range{0, 10, true, true});
  v.section("decoder", [&](auto& s) {
    s.choice("type", m.decoder.type, {DecoderType::mean, DecoderType::warp, DecoderType::denoise});
    s.choice("resample", m.decoder.resample, {Resample::bilinear, Resample::bicubic});
    s.field("gradient_weight", m.decoder.gradient_weight, Range{0, 1e3});
    s.field("anchor", m.decoder.anchor, Range{0, 1});
    s.field("track_anchor", m.decoder.track_anchor, Range{0, 1});
    s.field("denoise_steps", m.decoder.denoise_steps, Range{1, 32});
    s.field("denoise_channels", m.decoder.denoise_channels, Range{1, 1024});
    s.field("denoise_fraction", m.decoder.denoise_fraction, Range{0, 1, true});
  });
  v.section("dynamics", [&](auto& s) { s.choice("type", m.dynamics.type, {DynamicsType::rssm}); });
}

template <typename Visitor>
void visit_train_fields(TrainConfig& t, Visitor& v) {
  v.field("batch", t.batch, Range{1, 4096});
  v.field("horizon", t.horizon, Range{1, 256});
  v.field("min_context", t.min_context, Range{0, 64});
  v.field("open_loop_posterior", t.open_loop_posterior, Range{0, 1});
  v.field("context_noise", t.context_noise, Range{0, 1});
  v.field("context_noise_true_frames", t.context_noise_true_frames, Range{0, 1});
  v.field("learning_rate", t.learning_rate, Range{0, 1, true, true});
  v.field("kl_weight", t.kl_weight, Range{0, 1e6});
  v.field("free_bits", t.free_bits, Range{0, 1e6});
  v.field("kl_balance", t.kl_balance, Range{0, 1});
  v.field("context_weight", t.context_weight, Range{0, 1e6});
  v.field("grad_clip", t.grad_clip, Range{0, 1e9, true});
  v.field("eval_every", t.eval_every, Range{1, 1e9});
  v.field("eval_windows", t.eval_windows, Range{1, 1e9});
  v.field("keep_checkpoints", t.keep_checkpoints, Range{0, 1e6});
  v.field("threads", t.threads, Range{0, 256});
}

}  // namespace dw::model
