// Shapes of every module (with and without actions) and a single batch that overfits.
#include <ATen/CPUGeneratorImpl.h>

#include <catch2/catch.hpp>

#include "model/sequence.h"
#include "model/world_model.h"
#include "model_test_util.h"

using namespace dw::model;

TEST_CASE("every module produces the documented shapes", "[model]") {
  Config config = testing::tiny_config();
  const std::vector<std::pair<int, std::string>> cases{{0, "none"}, {3, "warp"}, {8, "none"}, {0, "warp"}};
  for (const auto& [action_dim, previous_frame] : cases) {
    config.model.previous_frame = previous_frame;
    torch::manual_seed(0);
    WorldModel model(config.model, action_dim);
    const int64_t batch = 3;
    auto frames = torch::rand({batch, 16, 16}).unsqueeze(1).expand({batch, 3, 16, 16}).contiguous();
    auto embedding = model->encoder()->forward(frames);
    CHECK(embedding.sizes() == torch::IntArrayRef{batch, 8, 8, 8});
    LatentState state = model->initial_state(batch, torch::kCPU);
    CHECK(state.h.sizes() == torch::IntArrayRef{batch, 8, 8, 8});
    CHECK(state.z.sizes() == torch::IntArrayRef{batch, 4, 8, 8});
    auto action = action_dim > 0 ? torch::rand({batch, action_dim}) : torch::Tensor();
    auto h = model->advance(state, action);
    CHECK(h.sizes() == state.h.sizes());
    Gaussian prior = model->prior(h);
    Gaussian post = model->posterior(h, embedding);
    CHECK(prior.mean.sizes() == state.z.sizes());
    CHECK(post.std.sizes() == state.z.sizes());
    CHECK(prior.std.min().item<float>() >= config.model.min_std);
    auto decoded = model->decode({h, post.mean}, frames);
    CHECK(decoded.sizes() == torch::IntArrayRef{batch, 3, 16, 16});
    CHECK(decoded.min().item<float>() >= 0.0f);
    CHECK(decoded.max().item<float>() <= 1.0f);
  }
}

TEST_CASE("the decoder uses the previous frame exactly when the config says so", "[model]") {
  Config config = testing::tiny_config();
  for (const char* mode : {"none", "warp"}) {
    config.model.previous_frame = mode;
    const bool uses_previous = config.model.previous_frame != "none";
    torch::manual_seed(4);
    WorldModel model(config.model, 3);
    torch::NoGradGuard no_grad;
    LatentState state = model->initial_state(2, torch::kCPU);
    state.z = torch::randn_like(state.z);
    auto dark = model->decode(state, torch::zeros({2, 3, 16, 16}));
    auto bright = model->decode(state, torch::ones({2, 3, 16, 16}));
    const double difference = (dark - bright).abs().max().item<double>();
    if (uses_previous) {
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

TEST_CASE("sequence loss and open-loop prediction accept action-free data", "[model]") {
  const Config config = testing::tiny_config();
  torch::manual_seed(1);
  WorldModel model(config.model, 0);
  auto noise = at::make_generator<at::CPUGeneratorImpl>(3);
  auto frames = torch::rand({2, 5, 3, 16, 16});
  auto actions = torch::zeros({2, 4, 0});
  LossTerms terms = sequence_loss(model, frames, actions, config.train, noise);
  CHECK(terms.total.dim() == 0);
  CHECK(std::isfinite(terms.total.item<double>()));
  CHECK(terms.open_loop_mse.item<double>() > 0.0);
  auto predicted = predict_open_loop(model, frames.slice(1, 0, 2), actions, 3, 0.0f, noise);
  CHECK(predicted.sizes() == torch::IntArrayRef{2, 3, 3, 16, 16});
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
    auto noise = at::make_generator<at::CPUGeneratorImpl>(step);
    LossTerms terms = sequence_loss(model, frames, actions, config.train, noise);
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
