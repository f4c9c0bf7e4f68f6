// Imagination::imagine_or_observe: one batched step in which some rows see a frame and the others
// imagine must give each row what observe() or imagine_latent() gives it alone.
#include <catch2/catch.hpp>

#include "model/imagination.h"
#include "model/world_model.h"
#include "model_test_util.h"

using namespace dw::model;

namespace {

// A random tiny warp model with a tracked anchor, each state observed from the same two frames.
struct Setup {
  Imagination engine;
  torch::Tensor frames;   // [4,3,16,16] in [0,1]
  torch::Tensor actions;  // [4,3]
};

Setup make_setup() {
  Config config = testing::tiny_config();
  config.model.decoder.type = DecoderType::warp;
  config.model.decoder.track_anchor = true;
  torch::manual_seed(11);
  WorldModel model(config.model, 3);
  model->eval();
  return {Imagination(model), torch::rand({4, 3, config.model.height, config.model.width}), torch::rand({4, 3}) * 2 - 1};
}

// Observes the first frames, imagines one step (so the anchor track is defined) and returns the state.
ImaginationState started(Setup& setup, float temperature) {
  ImaginationState state = setup.engine.start(4, 5, torch::kCPU);
  setup.engine.observe(state, setup.frames, {}, temperature);
  setup.engine.imagine(state, setup.actions, temperature);
  return state;
}

void check_close(const torch::Tensor& a, const torch::Tensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  CHECK(torch::allclose(a, b, 1e-5, 1e-5));
}

}  // namespace

TEST_CASE("a step in which some rows see a frame equals observing those rows and imagining the others", "[model]") {
  torch::NoGradGuard no_grad;
  for (const float temperature : {0.0f, 1.0f}) {
    Setup setup = make_setup();
    const torch::Tensor seen_frames = torch::rand({2, 3, setup.frames.size(2), setup.frames.size(3)});
    const std::vector<std::int64_t> seen{1, 3};
    const torch::Tensor embeddings = setup.engine.model()->encoder()->forward(seen_frames);

    ImaginationState mixed = started(setup, temperature);
    const torch::Tensor features =
        setup.engine.imagine_or_observe(mixed, setup.actions, temperature, seen, seen_frames, embeddings);

    // The same rows, one at a time through observe() and imagine_latent() (each its own noise stream).
    ImaginationState apart = started(setup, temperature);
    for (std::int64_t b = 0; b < 4; ++b) {
      ImaginationState row = select_rows(apart, {b});
      const torch::Tensor action = setup.actions.narrow(0, b, 1);
      torch::Tensor row_features;
      if (b == 1 || b == 3) {
        const torch::Tensor frame = seen_frames.narrow(0, b == 1 ? 0 : 1, 1);
        setup.engine.observe(row, frame, action, temperature);
        check_close(mixed.last_frame.narrow(0, b, 1), frame);
        check_close(mixed.anchor_frame.narrow(0, b, 1), frame);
        check_close(mixed.anchor_track.narrow(0, b, 1), identity_anchor_track(frame));
        row_features = setup.engine.model()->dynamics().features(row.latent);
      } else {
        row_features = setup.engine.imagine_latent(row, action, temperature);
        check_close(mixed.last_frame.narrow(0, b, 1), apart.last_frame.narrow(0, b, 1));
        check_close(mixed.anchor_track.narrow(0, b, 1), apart.anchor_track.narrow(0, b, 1));
      }
      INFO("temperature " << temperature << ", row " << b);
      check_close(features.narrow(0, b, 1), row_features);
    }
  }
}

TEST_CASE("a step in which no row sees a frame is an ordinary imagined step", "[model]") {
  torch::NoGradGuard no_grad;
  Setup setup = make_setup();
  ImaginationState a = started(setup, 0.0f);
  ImaginationState b = started(setup, 0.0f);
  const torch::Tensor mixed = setup.engine.imagine_or_observe(a, setup.actions, 0.0f, {}, {}, {});
  const torch::Tensor plain = setup.engine.imagine_latent(b, setup.actions, 0.0f);
  CHECK(torch::equal(mixed, plain));
  // And the features differ from a step in which every row sees a frame (the test can fail).
  ImaginationState c = started(setup, 0.0f);
  const torch::Tensor seen = setup.engine.imagine_or_observe(
      c, setup.actions, 0.0f, {0, 1, 2, 3}, setup.frames, setup.engine.model()->encoder()->forward(setup.frames));
  CHECK_FALSE(torch::allclose(seen, plain, 1e-3, 1e-3));
}
