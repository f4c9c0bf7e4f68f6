// The Simulator: equal to the batched rollout, repeatable sampling from a seed, state save/restore.
#include <catch2/catch.hpp>

#include "model/simulator.h"
#include "nav/base/user_error.h"
#include "tiny_run.h"

using namespace dw::model;
namespace fs = std::filesystem;

namespace {

fs::path trained_run() { return testing::tiny_run().run; }

int max_difference(const dw::Image& a, const dw::Image& b) {
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) worst = std::max(worst, std::abs(a.pixels[i] - b.pixels[i]));
  return worst;
}

std::vector<std::vector<float>> actions_for(int trajectory, int steps) {
  std::vector<std::vector<float>> actions;
  for (int t = 0; t < steps; ++t) actions.push_back({0.9f, -0.3f * trajectory, 0.2f * (t % 3) - 0.2f});
  return actions;
}

}  // namespace

TEST_CASE("the batched rollout equals single Simulator rollouts", "[model][simulator]") {
  auto simulator = Simulator::load(trained_run());
  std::vector<std::vector<dw::Image>> starts;
  std::vector<std::vector<std::vector<float>>> actions;
  for (int b = 0; b < 3; ++b) {
    starts.push_back({testing::moving_square(b, 0), testing::moving_square(b, 1)});
    actions.push_back(actions_for(b, 4));
  }
  const auto batched = rollout(*simulator, starts, {}, actions, 42);
  REQUIRE(batched.size() == 3);
  for (int b = 0; b < 3; ++b) {
    simulator->reset_single(starts[b], 42);
    for (int t = 0; t < 4; ++t) {
      const dw::Image single = simulator->step_single(actions[b][t]);
      INFO("trajectory " << b << " step " << t);
      CHECK(max_difference(single, batched[b][t]) <= 1);  // float rounding of batched convs at most
    }
  }
}

TEST_CASE("batching does not change a trajectory", "[model][simulator]") {
  auto simulator = Simulator::load(trained_run());
  simulator->set_temperature(1.0f);
  const std::vector<dw::Image> start{testing::moving_square(0, 0), testing::moving_square(0, 1)};
  const auto alone = rollout(*simulator, {start}, {}, {actions_for(0, 5)}, 9);
  const auto together = rollout(*simulator, {start, {testing::moving_square(2, 0), testing::moving_square(2, 1)}},
                                {}, {actions_for(0, 5), actions_for(2, 5)}, 9);
  for (int t = 0; t < 5; ++t) {
    INFO("step " << t);
    CHECK(max_difference(alone[0][t], together[0][t]) <= 1);  // float rounding of batched convs at most
  }
}

TEST_CASE("a population reset from one start steps as the same start reset in copies", "[model][simulator]") {
  auto simulator = Simulator::load(trained_run());
  const std::vector<dw::Image> start{testing::moving_square(1, 0), testing::moving_square(1, 1)};
  const std::vector<std::vector<float>> between{{0.5f, 0.0f, 0.1f}};
  std::vector<std::vector<float>> actions;  // one different action per row
  for (int b = 0; b < 3; ++b) actions.push_back({0.9f - 0.6f * b, 0.2f * b, -0.3f + 0.3f * b});
  for (const float temperature : {0.0f, 1.0f}) {
    simulator->set_temperature(temperature);
    simulator->reset({start, start, start}, {between, between, between}, 4);
    std::vector<dw::Image> copies;
    for (int t = 0; t < 4; ++t) copies = simulator->step(actions);
    simulator->reset_repeated(start, between, 3, 4);
    std::vector<dw::Image> repeated;
    for (int t = 0; t < 4; ++t) repeated = simulator->step(actions);
    REQUIRE(repeated.size() == 3);
    for (int b = 0; b < 3; ++b) {
      INFO("temperature " << temperature << ", row " << b);
      CHECK(max_difference(repeated[b], copies[b]) <= 1);  // float rounding of a batch of one at most
    }
    // Each row keeps its own noise stream: sampled rows part ways.
    if (temperature > 0.0f) CHECK(max_difference(repeated[0], repeated[2]) > 1);
  }
  CHECK_THROWS_AS(simulator->reset_repeated(start, between, 0, 4), dw::UserError);
}

TEST_CASE("sampled steps repeat with the same seed and differ with another", "[model][simulator]") {
  auto simulator = Simulator::load(trained_run());
  simulator->set_temperature(1.0f);
  const std::vector<dw::Image> start{testing::moving_square(1, 0)};
  const auto a = rollout(*simulator, {start}, {}, {actions_for(1, 4)}, 5);
  const auto b = rollout(*simulator, {start}, {}, {actions_for(1, 4)}, 5);
  const auto c = rollout(*simulator, {start}, {}, {actions_for(1, 4)}, 6);
  int differing = 0;
  for (int t = 0; t < 4; ++t) {
    CHECK(a[0][t].pixels == b[0][t].pixels);
    differing += a[0][t].pixels != c[0][t].pixels;
  }
  CHECK(differing > 0);
  simulator->set_temperature(0.0f);
  const auto mean_a = rollout(*simulator, {start}, {}, {actions_for(1, 4)}, 5);
  const auto mean_c = rollout(*simulator, {start}, {}, {actions_for(1, 4)}, 6);
  for (int t = 0; t < 4; ++t) CHECK(mean_a[0][t].pixels == mean_c[0][t].pixels);
}

TEST_CASE("save_state and restore_state rewind exactly, noise included", "[model][simulator]") {
  auto simulator = Simulator::load(trained_run());
  simulator->set_temperature(1.0f);
  simulator->reset_single({testing::moving_square(0, 0), testing::moving_square(0, 1)}, 3);
  simulator->step_single({0.5f, 0.0f, 0.0f});
  const auto saved = simulator->save_state();
  const dw::Image first = simulator->step_single({0.5f, 0.5f, 0.0f});
  const dw::Image second = simulator->step_single({0.5f, 0.5f, 0.0f});
  simulator->restore_state(saved);
  CHECK(simulator->step_single({0.5f, 0.5f, 0.0f}).pixels == first.pixels);
  CHECK(simulator->step_single({0.5f, 0.5f, 0.0f}).pixels == second.pixels);
}

TEST_CASE("bad Simulator input is a UserError", "[model][simulator]") {
  auto simulator = Simulator::load(trained_run());
  CHECK_THROWS_AS(simulator->step_single({0.0f, 0.0f, 0.0f}), dw::UserError);  // before reset
  CHECK_THROWS_AS(simulator->reset_single({dw::Image(8, 8)}, 0), dw::UserError);  // wrong size
  std::vector<dw::Image> too_many(3, dw::Image(16, 16));
  CHECK_THROWS_AS(simulator->reset_single(too_many, 0), dw::UserError);  // context is 2
  simulator->reset_single({dw::Image(16, 16)}, 0);
  CHECK_THROWS_AS(simulator->step_single({0.0f}), dw::UserError);        // wrong dimension
  CHECK_THROWS_AS(simulator->step_single({2.0f, 0.0f, 0.0f}), dw::UserError);  // out of range
  CHECK_THROWS_AS(simulator->set_temperature(-1.0f), dw::UserError);
}
