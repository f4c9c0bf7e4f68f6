// Shapes of every module (with and without actions) and a single batch that overfits.
#include <catch2/catch.hpp>

#include "model/imagination.h"
#include "model/sequence.h"
#include "model/world_model.h"
#include "model_test_util.h"

using namespace dw::model;

TEST_CASE("every module produces the documented shapes", "[model]") {
  Config config = testing::tiny_config();
  const std::vector<std::pair<int, DecoderType>> cases{
      {0, DecoderType::mean}, {3, DecoderType::warp}, {8, DecoderType::mean}, {0, DecoderType::warp}};
  for (const auto& [action_dim, decoder] : cases) {
    config.model.decoder.type = decoder;
    torch::manual_seed(0);
    WorldModel model(config.model, action_dim);
    const int64_t batch = 3;
    auto frames = torch::rand({batch, 16, 16}).unsqueeze(1).expand({batch, 3, 16, 16}).contiguous();
    auto embedding = model->encoder()->forward(frames);
    CHECK(embedding.sizes() == torch::IntArrayRef{batch, 8, 8, 8});
    DynamicsCore& dynamics = model->dynamics();
    DynamicsState state = dynamics.initial_state(batch, torch::kCPU);
    auto action = action_dim > 0 ? torch::rand({batch, action_dim}) : torch::Tensor();
    DynamicsState next = dynamics.advance(state, action);
    Gaussian prior = dynamics.prior(next);
    Gaussian post = dynamics.posterior(next, embedding);
    CHECK(prior.mean.sizes() == torch::IntArrayRef{batch, 4, 8, 8});
    CHECK(post.std.sizes() == prior.mean.sizes());
    CHECK(prior.std.min().item<float>() >= config.model.min_std);
    auto features = dynamics.features(dynamics.with_sample(next, post.mean));
    CHECK(features.sizes() == torch::IntArrayRef{batch, dynamics.feature_channels(), 8, 8});
    auto noise = noise_streams(0, batch);
    auto decoded = model->decoder().decode(features, frames, frames, noise);
    CHECK(decoded.frame.sizes() == torch::IntArrayRef{batch, 3, 16, 16});
    CHECK(decoded.frame.min().item<float>() >= 0.0f);
    CHECK(decoded.frame.max().item<float>() <= 1.0f);
    CHECK(decoded.loss.item<double>() == Approx(decoded.mse.item<double>() * 3 * 16 * 16));
  }
}

TEST_CASE("the decoder uses the previous frame exactly when the config says so", "[model]") {
  Config config = testing::tiny_config();
  for (const DecoderType type : {DecoderType::mean, DecoderType::warp}) {
    config.model.decoder.type = type;
    torch::manual_seed(4);
    WorldModel model(config.model, 3);
    torch::NoGradGuard no_grad;
    DynamicsCore& dynamics = model->dynamics();
    DynamicsState state = dynamics.initial_state(2, torch::kCPU);
    auto features = dynamics.features(dynamics.with_sample(state, torch::randn({2, 4, 8, 8})));
    auto noise = noise_streams(0, 2);
    auto dark = model->decoder().decode(features, torch::zeros({2, 3, 16, 16}), {}, noise).frame;
    auto bright = model->decoder().decode(features, torch::ones({2, 3, 16, 16}), {}, noise).frame;
    const double difference = (dark - bright).abs().max().item<double>();
    if (type == DecoderType::warp) {
      CHECK(difference > 1e-4);
    } else {
      CHECK(difference == 0.0);
    }
  }
}

TEST_CASE("warping by a zero flow keeps the frame; a whole-pixel flow shifts it", "[model]") {
  torch::manual_seed(5);
  auto frame = torch::rand({2, 3, 16, 16});
  auto still = warp_frame(frame, torch::zeros({2, 2, 16, 16}));
  CHECK((still - frame).abs().max().item<double>() < 1e-5);
  // dx = 2 pixels (2 / width * 2 in normalised units): output column x shows input column x + 2.
  auto flow = torch::zeros({2, 2, 16, 16});
  flow.select(1, 0).fill_(2.0 * 2.0 / 16.0);
  auto shifted = warp_frame(frame, flow);
  auto expected = frame.slice(3, 2, 16);
  CHECK((shifted.slice(3, 0, 14) - expected).abs().max().item<double>() < 1e-5);
  CHECK((shifted - frame).abs().max().item<double>() > 0.1);
}

TEST_CASE("sequence loss and the engine accept action-free data", "[model]") {
  const Config config = testing::tiny_config();
  torch::manual_seed(1);
  WorldModel model(config.model, 0);
  auto frames = torch::rand({2, 5, 3, 16, 16});
  auto actions = torch::zeros({2, 4, 0});
  for (int observed : {1, 2, 4}) {
    LossTerms terms = sequence_loss(model, frames, actions, config.train, observed, 3);
    CHECK(terms.total.dim() == 0);
    CHECK(std::isfinite(terms.total.item<double>()));
    CHECK(terms.open_loop_mse.item<double>() > 0.0);
  }
  torch::NoGradGuard no_grad;
  Imagination engine(model);
  ImaginationState state = engine.start(2, 0, torch::kCPU);
  engine.observe(state, frames.select(1, 0), {}, 0.0f);
  engine.observe(state, frames.select(1, 1), action_at(actions, 0), 0.0f);
  CHECK(engine.imagine(state, action_at(actions, 1), 0.0f).frame.sizes() == torch::IntArrayRef{2, 3, 16, 16});
  CHECK(state.observed == 2);
}

TEST_CASE("one noise stream per trajectory: a batch samples what single runs sample", "[model]") {
  const Config config = testing::tiny_config();
  torch::manual_seed(6);
  WorldModel model(config.model, 3);
  torch::NoGradGuard no_grad;
  Imagination engine(model);
  auto frames = torch::rand({3, 2, 3, 16, 16});
  auto actions = torch::rand({3, 4, 3}) * 2 - 1;
  const auto imagine = [&](int64_t first, int64_t count, std::uint64_t seed) {
    // Trajectory b of a batch seeded with `seed` draws from stream (seed, b): a single run of
    // trajectory b needs the stream of its place in the batch, so re-seed it by hand.
    ImaginationState state = engine.start(count, seed, torch::kCPU);
    if (first > 0) state.noise = {noise_streams(seed, first + 1).back()};
    engine.observe(state, frames.select(1, 0).slice(0, first, first + count), {}, 1.0f);
    engine.observe(state, frames.select(1, 1).slice(0, first, first + count), actions.select(1, 0).slice(0, first, first + count), 1.0f);
    std::vector<torch::Tensor> out;
    for (int t = 1; t < 4; ++t) out.push_back(engine.imagine(state, actions.select(1, t).slice(0, first, first + count), 1.0f).frame);
    return torch::stack(out, 1);
  };
  const auto batched = imagine(0, 3, 11);
  const auto single = imagine(2, 1, 11);
  CHECK((batched.slice(0, 2, 3) - single).abs().max().item<double>() < 1e-5);
  const auto other_seed = imagine(0, 3, 12);
  CHECK((batched - other_seed).abs().max().item<double>() > 1e-3);
}

TEST_CASE("a single batch overfits", "[model]") {
  Config config = testing::tiny_config();
  config.model.encoder_channels = {16};
  config.model.state_channels = 16;
  config.model.hidden_channels = 16;
  torch::manual_seed(2);
  WorldModel model(config.model, 3);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
  std::vector<torch::Tensor> windows;
  for (int b = 0; b < 2; ++b) {
    std::vector<dw::Image> images;
    for (int t = 0; t < 5; ++t) images.push_back(testing::moving_square(b, t));
    auto tensor = torch::empty({5, 3, 16, 16});
    for (int t = 0; t < 5; ++t) {
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 16; ++y)
          for (int x = 0; x < 16; ++x) tensor[t][c][y][x] = images[t].at(x, y)[c] / 255.0f;
    }
    windows.push_back(tensor);
  }
  auto frames = torch::stack(windows);
  auto actions = torch::full({2, 4, 3}, 0.5f);
  double first = 0.0, last = 0.0;
  for (int step = 0; step < 300; ++step) {
    LossTerms terms = sequence_loss(model, frames, actions, config.train, config.model.context, step);
    optimizer.zero_grad();
    terms.total.backward();
    optimizer.step();
    if (step == 0) first = terms.open_loop_mse.item<double>();
    last = terms.open_loop_mse.item<double>();
  }
  INFO("open-loop MSE " << first << " -> " << last);
  CHECK(last < 0.1 * first);
  CHECK(last < 0.01);
}
