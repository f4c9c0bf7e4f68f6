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

TEST_CASE("bicubic warping keeps a whole-pixel shift exact and blurs a half-pixel one less", "[model]") {
  torch::manual_seed(7);
  auto frame = torch::rand({1, 3, 16, 16});
  auto flow = torch::zeros({1, 2, 16, 16});
  flow.select(1, 0).fill_(2.0 * 2.0 / 16.0);  // 2 pixels
  auto shifted = warp_frame(frame, flow, Resample::bicubic);
  CHECK((shifted.slice(3, 0, 12) - frame.slice(3, 2, 14)).abs().max().item<double>() < 1e-5);
  flow.select(1, 0).fill_(0.5 * 2.0 / 16.0);  // half a pixel: a filter, not a copy
  const auto detail = [](const torch::Tensor& t) { return (t.slice(3, 1, 16) - t.slice(3, 0, 15)).abs().mean().item<double>(); };
  CHECK(detail(warp_frame(frame, flow, Resample::bicubic)) > detail(warp_frame(frame, flow, Resample::bilinear)));
}

TEST_CASE("the gradient loss is zero for the truth and punishes a flat frame", "[model]") {
  torch::manual_seed(8);
  auto truth = torch::rand({2, 3, 16, 16});
  DecoderConfig config;
  config.gradient_weight = 1.0f;
  const double exact = score_mean_frame(truth.clone(), truth, config).loss.item<double>();
  CHECK(exact == Approx(0.0).margin(1e-9));
  // A flat frame at the truth's mean: small squared error, but all the detail is missing.
  auto flat = torch::full_like(truth, truth.mean().item<float>());
  const double with_gradient = score_mean_frame(flat, truth, config).loss.item<double>();
  config.gradient_weight = 0.0f;
  const double squared_only = score_mean_frame(flat, truth, config).loss.item<double>();
  CHECK(with_gradient > squared_only * 1.5);
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

TEST_CASE("open-loop posterior training decodes the imagined frames from their posterior", "[model]") {
  Config config = testing::tiny_config();
  torch::manual_seed(9);
  WorldModel model(config.model, 3);
  auto frames = torch::rand({2, 5, 3, 16, 16});
  auto actions = torch::rand({2, 4, 3}) * 2 - 1;
  const LossTerms prior_mean = sequence_loss(model, frames, actions, config.train, 2, 4);
  config.train.open_loop_posterior = true;
  const LossTerms posterior = sequence_loss(model, frames, actions, config.train, 2, 4);
  CHECK(std::isfinite(posterior.total.item<double>()));
  CHECK(posterior.open_loop_mse.item<double>() != prior_mean.open_loop_mse.item<double>());
  // The pixels still run free: the next previous frame is the decoder's, not the truth.
  torch::NoGradGuard no_grad;
  Imagination engine(model);
  ImaginationState state = engine.start(2, 0, torch::kCPU);
  engine.observe(state, frames.select(1, 0), {}, 0.0f, true, {}, true);
  CHECK((state.last_frame - frames.select(1, 0)).abs().max().item<double>() > 1e-3);
  engine.observe(state, frames.select(1, 1), actions.select(1, 0), 0.0f, true);
  CHECK((state.last_frame - frames.select(1, 1)).abs().max().item<double>() == 0.0);
}

TEST_CASE("context noise augments training only, repeatably; imagination feeds back its frame untouched", "[model]") {
  Config config = testing::tiny_config();
  torch::manual_seed(5);
  WorldModel model(config.model, 3);
  auto frames = torch::rand({2, 6, 3, 16, 16});
  auto actions = torch::rand({2, 5, 3}) * 2 - 1;
  const LossTerms clean_terms = sequence_loss(model, frames, actions, config.train, 2, 4);
  const double clean = clean_terms.open_loop_mse.item<double>();
  config.train.context_noise = 0.5f;
  const LossTerms own_frames_noised = sequence_loss(model, frames, actions, config.train, 2, 4);
  const double noised = own_frames_noised.open_loop_mse.item<double>();
  // By default only the model's own fed-back frames are noised: the context decodes as without.
  CHECK(own_frames_noised.context_mse.item<double>() == clean_terms.context_mse.item<double>());
  config.train.context_noise_true_frames = true;
  CHECK(sequence_loss(model, frames, actions, config.train, 2, 4).context_mse.item<double>() !=
        clean_terms.context_mse.item<double>());
  config.train.context_noise_true_frames = false;
  const double again = sequence_loss(model, frames, actions, config.train, 2, 4).open_loop_mse.item<double>();
  const double other_seed = sequence_loss(model, frames, actions, config.train, 2, 5).open_loop_mse.item<double>();
  CHECK(noised != clean);
  CHECK(noised == again);  // the step's seed draws the levels and the noise: resume stays exact
  CHECK(other_seed != noised);
  // At inference (the engine the Simulator drives) the next step warps exactly the frame shown.
  torch::NoGradGuard no_grad;
  Imagination engine(model);
  ImaginationState state = engine.start(2, 0, torch::kCPU);
  engine.observe(state, frames.select(1, 0), {}, 0.0f);
  CHECK((state.last_frame - frames.select(1, 0)).abs().max().item<double>() == 0.0);
  const DecodedFrame shown = engine.imagine(state, actions.select(1, 0), 0.0f);
  CHECK((state.last_frame - shown.frame).abs().max().item<double>() == 0.0);
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
