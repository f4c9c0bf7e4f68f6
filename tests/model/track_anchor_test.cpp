// decoder.track_anchor: the warp decoder samples the last observed frame through the composition
// of every step's flow, so a pixel still in view is resampled once, not once per imagined step.
#include <catch2/catch.hpp>

#include "model/imagination.h"
#include "model/world_model.h"
#include "model_test_util.h"

using namespace dw::model;

namespace {

// A warp model whose flow is a constant shift of `dx` (normalised units) and whose correction is
// zero: every imagined frame is the previous one (or the tracked anchor) resampled, nothing more.
WorldModel shifting_model(bool track_anchor, float dx) {
  Config config = testing::tiny_config();
  config.model.decoder.type = DecoderType::warp;
  config.model.decoder.resample = Resample::bicubic;
  config.model.decoder.track_anchor = track_anchor;
  torch::manual_seed(3);
  WorldModel model(config.model, 3);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) {
    if (item.key() == "decoder.flow.weight" || item.key() == "decoder.head.weight" ||
        item.key() == "decoder.head.bias") {
      item.value().zero_();
    }
    if (item.key() == "decoder.flow.bias") item.value().copy_(torch::tensor({dx, 0.0f}));
  }
  return model;
}

// Observes one frame and imagines `steps` frames; returns the engine's state after them.
ImaginationState imagine_steps(WorldModel model, const torch::Tensor& frame, int steps, DecodedFrame& last) {
  Imagination engine(std::move(model));
  ImaginationState state = engine.start(frame.size(0), 0, torch::kCPU);
  engine.observe(state, frame, {}, 0.0f);
  CHECK_FALSE(state.anchor_track.defined());  // an observed frame is its own anchor
  const auto action = torch::zeros({frame.size(0), 3});
  for (int step = 0; step < steps; ++step) last = engine.imagine(state, action, 0.0f);
  return state;
}

}  // namespace

TEST_CASE("a tracked anchor is resampled once: two half-pixel steps are an exact one-pixel shift", "[model]") {
  torch::NoGradGuard no_grad;
  const auto frame = torch::rand({2, 3, 16, 16}) * 0.8 + 0.1;  // inside the decoder's logit clamp
  const float half_pixel = 1.0f / 16.0f;                       // 2 = the whole width
  const auto shifted = frame.slice(3, 1, 16);                  // the anchor one pixel to the left
  DecodedFrame tracked_frame;
  const ImaginationState tracked = imagine_steps(shifting_model(true, half_pixel), frame, 2, tracked_frame);
  DecodedFrame rewarped_frame;
  imagine_steps(shifting_model(false, half_pixel), frame, 2, rewarped_frame);
  // Interior columns (the last one left the anchor's view; bicubic also reads 2 pixels around).
  const auto interior = [](const torch::Tensor& t) { return t.slice(3, 2, 13); };
  const auto expected = interior(shifted);
  CHECK((interior(tracked_frame.frame.slice(3, 0, 15)) - expected).abs().max().item<double>() < 1e-4);
  // Re-warping the last frame twice by half a pixel low-passes it: far from the exact shift.
  CHECK((interior(rewarped_frame.frame.slice(3, 0, 15)) - expected).abs().max().item<double>() > 1e-2);
  // The track: a one-pixel flow everywhere, and the last column is no longer in the anchor's view.
  REQUIRE(tracked.anchor_track.defined());
  CHECK(tracked.anchor_track.sizes() == torch::IntArrayRef({2, 3, 16, 16}));
  CHECK((tracked.anchor_track.select(1, 0) - 2 * half_pixel).abs().max().item<double>() < 1e-5);
  CHECK(tracked.anchor_track.select(1, 2).slice(2, 0, 15).min().item<double>() == 1.0);
  CHECK(tracked.anchor_track.select(1, 2).slice(2, 15, 16).max().item<double>() == 0.0);
  // A clone carries the track: a forked rollout continues from the same place.
  CHECK((tracked.clone().anchor_track - tracked.anchor_track).abs().max().item<double>() == 0.0);
}

TEST_CASE("with a zero flow a tracked anchor changes nothing; a newly observed frame resets the track", "[model]") {
  torch::NoGradGuard no_grad;
  const auto frame = torch::rand({2, 3, 16, 16});
  DecodedFrame tracked_frame;
  DecodedFrame plain_frame;
  imagine_steps(shifting_model(true, 0.0f), frame, 3, tracked_frame);
  imagine_steps(shifting_model(false, 0.0f), frame, 3, plain_frame);
  CHECK((tracked_frame.frame - plain_frame.frame).abs().max().item<double>() < 1e-5);  // float round trips of the logit

  Imagination engine(shifting_model(true, 0.1f));
  ImaginationState state = engine.start(2, 0, torch::kCPU);
  engine.observe(state, frame, {}, 0.0f);
  engine.imagine(state, torch::zeros({2, 3}), 0.0f);
  CHECK(state.anchor_track.defined());
  const auto next = torch::rand({2, 3, 16, 16});
  engine.observe(state, next, torch::zeros({2, 3}), 0.0f);
  CHECK_FALSE(state.anchor_track.defined());
  CHECK((state.anchor_frame - next).abs().max().item<double>() == 0.0);
}
