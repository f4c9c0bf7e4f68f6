// decoder.anchor: the warp decoder also warps the last observed frame, and the engine keeps that
// frame while the imagined ones run free.
#include <catch2/catch.hpp>

#include "model/imagination.h"
#include "model/world_model.h"
#include "model_test_util.h"

using namespace dw::model;

namespace {

bool has_parameter(torch::nn::Module& module, const std::string& name) {
  for (const auto& item : module.named_parameters()) {
    if (item.key() == name) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the anchor decoder draws on the anchor frame; without decoder.anchor it is ignored", "[model]") {
  Config config = testing::tiny_config();
  config.model.decoder.type = DecoderType::warp;
  for (const bool anchor : {false, true}) {
    config.model.decoder.anchor = anchor;
    torch::manual_seed(4);
    WorldModel model(config.model, 3);
    CHECK(has_parameter(*model, "decoder.anchor.weight") == anchor);
    torch::NoGradGuard no_grad;
    DynamicsCore& dynamics = model->dynamics();
    const auto features =
        dynamics.features(dynamics.with_sample(dynamics.initial_state(2, torch::kCPU), torch::randn({2, 4, 8, 8})));
    auto noise = noise_streams(0, 2);
    const auto last = torch::rand({2, 3, 16, 16});
    const auto dark = model->decoder().decode(features, {last, torch::zeros({2, 3, 16, 16})}, {}, noise).frame;
    const auto bright = model->decoder().decode(features, {last, torch::ones({2, 3, 16, 16})}, {}, noise).frame;
    const auto none = model->decoder().decode(features, last, {}, noise).frame;
    const double anchor_effect = (dark - bright).abs().max().item<double>();
    if (anchor) {
      CHECK(anchor_effect > 1e-2);  // an even blend at the start: half the anchor shows
    } else {
      CHECK(anchor_effect == 0.0);
      CHECK((none - dark).abs().max().item<double>() == 0.0);
    }
  }
}

TEST_CASE("imagination keeps the last observed frame as the anchor while its own frames are fed back", "[model]") {
  Config config = testing::tiny_config();
  config.model.decoder.type = DecoderType::warp;
  config.model.decoder.anchor = true;
  torch::manual_seed(6);
  WorldModel model(config.model, 3);
  torch::NoGradGuard no_grad;
  Imagination engine(model);
  const auto frames = torch::rand({2, 2, 3, 16, 16});
  const auto action = torch::rand({2, 3}) * 2 - 1;
  ImaginationState state = engine.start(2, 0, torch::kCPU);
  engine.observe(state, frames.select(1, 0), {}, 0.0f);
  engine.observe(state, frames.select(1, 1), action, 0.0f);
  for (int step = 0; step < 3; ++step) engine.imagine(state, action, 0.0f);
  CHECK((state.anchor_frame - frames.select(1, 1)).abs().max().item<double>() == 0.0);
  CHECK((state.last_frame - frames.select(1, 1)).abs().max().item<double>() > 1e-3);
  // A clone carries the anchor: a forked rollout continues from the same place.
  const ImaginationState copy = state.clone();
  CHECK((copy.anchor_frame - state.anchor_frame).abs().max().item<double>() == 0.0);
}
