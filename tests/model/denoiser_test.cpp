// The denoise decoder and its EDM sampler: seeded, batch-independent, trainable, and a frame
// that is the warp decoder's mean while training.
#include <catch2/catch.hpp>

#include "model/denoiser.h"
#include "model/imagination.h"
#include "model/world_model.h"
#include "model_test_util.h"

using namespace dw::model;

namespace {

Config denoise_config() {
  Config config = testing::tiny_config();
  config.model.decoder.type = DecoderType::denoise;
  config.model.decoder.denoise_channels = {8, 8};
  return config;
}

// Features as the dynamics core makes them, for a batch of `batch`.
torch::Tensor some_features(WorldModel& model, std::int64_t batch) {
  DynamicsCore& dynamics = model->dynamics();
  DynamicsState state = dynamics.initial_state(batch, torch::kCPU);
  return dynamics.features(dynamics.with_sample(state, torch::randn({batch, 4, 8, 8})));
}

}  // namespace

TEST_CASE("the sampler's noise levels fall from the highest to zero", "[model][denoise]") {
  for (int steps : {1, 3, 6}) {
    const std::vector<double> sigmas = sampling_sigmas(steps);
    REQUIRE(sigmas.size() == static_cast<size_t>(steps + 1));
    CHECK(sigmas.back() == 0.0);
    CHECK(sigmas.front() == Approx(1.0));
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) CHECK(sigmas[i] > sigmas[i + 1]);
  }
  CHECK(sampling_sigmas(3)[2] == Approx(0.05));
}

TEST_CASE("a sampled frame repeats with its seed, differs across seeds, and batches as single runs",
          "[model][denoise]") {
  torch::manual_seed(3);
  WorldModel model(denoise_config().model, 3);
  torch::NoGradGuard no_grad;
  // As after some training: the output layer starts at zero (see the next test).
  for (auto& item : model->named_parameters()) {
    if (item.key().find("denoiser.out.") != std::string::npos) item.value().normal_(0.0, 0.05);
  }
  const torch::Tensor features = some_features(model, 3);
  const torch::Tensor previous = torch::rand({3, 3, 16, 16});
  auto sample = [&](std::uint64_t seed) {
    auto noise = noise_streams(seed, 3);
    return model->decoder().decode(features, previous, {}, noise).frame;
  };
  const torch::Tensor first = sample(11);
  CHECK(torch::equal(first, sample(11)));
  CHECK((first - sample(12)).abs().max().item<double>() > 1e-3);
  CHECK(first.min().item<float>() >= 0.0f);
  CHECK(first.max().item<float>() <= 1.0f);
  // Row b alone, with row b's stream, gives row b of the batch.
  for (std::int64_t b = 0; b < 3; ++b) {
    std::vector<at::Generator> stream{noise_streams(11, 3)[b]};
    const torch::Tensor single =
        model->decoder().decode(features.slice(0, b, b + 1), previous.slice(0, b, b + 1), {}, stream).frame;
    CHECK((single - first.slice(0, b, b + 1)).abs().max().item<double>() < 1e-5);
  }
}

TEST_CASE("an untrained denoiser leaves the warp decoder's mean frame", "[model][denoise]") {
  torch::manual_seed(4);
  WorldModel model(denoise_config().model, 3);
  torch::NoGradGuard no_grad;
  const torch::Tensor features = some_features(model, 2);
  const torch::Tensor previous = torch::rand({2, 3, 16, 16});
  auto noise = noise_streams(1, 2);
  const torch::Tensor sampled = model->decoder().decode(features, previous, {}, noise).frame;
  auto more = noise_streams(1, 2);
  const torch::Tensor mean = model->decoder().decode(features, previous, torch::rand({2, 3, 16, 16}), more).frame;
  CHECK((sampled - mean).abs().max().item<double>() < 1e-6);
}

TEST_CASE("while training the frame fed back is the mean, and the loss adds the denoiser's", "[model][denoise]") {
  Config config = denoise_config();
  config.model.decoder.denoise_fraction = 1.0f;
  torch::manual_seed(5);
  WorldModel model(config.model, 3);
  const torch::Tensor features = some_features(model, 2);
  const torch::Tensor previous = torch::rand({2, 3, 16, 16}), target = torch::rand({2, 3, 16, 16});
  auto noise = noise_streams(1, 2);
  const DecodedFrame trained = model->decoder().decode(features, previous, target, noise);
  auto again = noise_streams(1, 2);
  const DecodedFrame repeated = model->decoder().decode(features, previous, target, again);
  CHECK(torch::equal(trained.frame, repeated.frame));  // no noise in the frame fed back
  CHECK(trained.loss.item<double>() > trained.mse.item<double>() * 3 * 16 * 16);
  // Gradients reach the denoiser and the warp decoder.
  trained.loss.backward();
  bool denoiser_learns = false, mean_learns = false;
  for (const auto& item : model->decoder().named_parameters()) {
    const bool moved = item.value().grad().defined() && item.value().grad().abs().sum().item<double>() > 0;
    if (item.key().rfind("denoiser.", 0) == 0) denoiser_learns = denoiser_learns || moved;
    if (item.key().rfind("mean.", 0) == 0) mean_learns = mean_learns || moved;
  }
  CHECK(denoiser_learns);
  CHECK(mean_learns);
}

TEST_CASE("the denoiser's loss falls on a fixed batch", "[model][denoise]") {
  torch::manual_seed(9);
  ResidualDenoiser denoiser(4, std::vector<int>{8, 8});
  // A residual that the condition determines (its negative, scaled), plus fine detail.
  const torch::Tensor condition = torch::rand({4, 4, 16, 16}) * 2.0 - 1.0;
  const torch::Tensor clean = -0.3 * condition.slice(1, 0, 3);
  torch::optim::Adam optimiser(denoiser->parameters(), torch::optim::AdamOptions(3e-3));
  auto loss_at = [&]() {
    auto noise = noise_streams(2, 4);  // the same noise levels and noise every step
    return denoiser->loss(clean, condition, noise);
  };
  const double before = loss_at().item<double>();
  for (int step = 0; step < 60; ++step) {
    optimiser.zero_grad();
    torch::Tensor loss = loss_at();
    loss.backward();
    optimiser.step();
  }
  const double after = loss_at().item<double>();
  INFO("before " << before << ", after " << after);
  CHECK(after < 0.5 * before);
}
