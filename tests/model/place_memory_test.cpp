// The place memory: a walk that comes back to a pose it has been at (from its actions alone) shows
// the state it had there, observed or imagined; batched equals single; off = the model alone.
#include <catch2/catch.hpp>

#include "model/place_memory.h"
#include "model/simulator.h"
#include "tiny_run.h"

using namespace dw::model;

namespace {

int max_difference(const dw::Image& a, const dw::Image& b) {
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) worst = std::max(worst, std::abs(a.pixels[i] - b.pixels[i]));
  return worst;
}

const std::vector<float> kForward{1.0f, 0.0f, 0.0f};
const std::vector<float> kBack{-1.0f, 0.0f, 0.0f};
const std::vector<float> kLeft{0.0f, 0.0f, 1.0f};
const std::vector<float> kRight{0.0f, 0.0f, -1.0f};

std::vector<dw::Image> start_frames() { return {testing::moving_square(1, 0), testing::moving_square(1, 1)}; }

// Three steps out and three back: the last step is at the start pose again.
std::vector<std::vector<float>> out_and_back() { return {kForward, kForward, kForward, kBack, kBack, kBack}; }

std::vector<dw::Image> walk(Simulator& simulator, const std::vector<std::vector<float>>& actions) {
  simulator.reset_single(start_frames(), 5);
  std::vector<dw::Image> frames;
  for (const auto& action : actions) frames.push_back(simulator.step_single(action));
  return frames;
}

// A one-row state whose every tensor is filled with `value` (shapes as the engine's, tiny).
ImaginationState filled_state(std::int64_t batch, float value) {
  ImaginationState state;
  state.latent.tensors = {torch::full({batch, 2, 2, 2}, value)};
  state.last_frame = torch::full({batch, 3, 4, 4}, value);
  state.anchor_frame = torch::full({batch, 3, 4, 4}, value);
  state.observed = 1;
  return state;
}

}  // namespace

TEST_CASE("coming back to the start pose shows the last observed frame again", "[model][memory]") {
  auto simulator = Simulator::load(testing::tiny_run().run);
  REQUIRE(simulator->place_memory());  // on by default for a navigation model
  const auto frames = walk(*simulator, out_and_back());
  CHECK(max_difference(frames.back(), start_frames().back()) == 0);
  simulator->set_place_memory(false);
  CHECK_FALSE(simulator->place_memory());
  const auto alone = walk(*simulator, out_and_back());
  CHECK(max_difference(alone.back(), start_frames().back()) > 0);  // the model alone re-imagines it
  // Until the walk comes back to a place (step 4 is the pose of step 2), the two are the same.
  for (size_t t = 0; t < 3; ++t) CHECK(max_difference(alone[t], frames[t]) == 0);
  CHECK(max_difference(alone[3], frames[3]) > 0);
}

TEST_CASE("standing still after the start frames repeats the last one exactly", "[model][memory]") {
  auto simulator = Simulator::load(testing::tiny_run().run);
  const auto frames = walk(*simulator, {{0.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 0.0f}});
  for (const auto& frame : frames) CHECK(max_difference(frame, start_frames().back()) == 0);
}

TEST_CASE("an imagined place is recalled as it was imagined, and its future with it", "[model][memory]") {
  auto simulator = Simulator::load(testing::tiny_run().run);
  // Out two steps, a turn left and back right (the same pose as after step 2), then on.
  const auto frames = walk(*simulator, {kForward, kForward, kLeft, kRight, kForward});
  CHECK(max_difference(frames[1], frames[3]) == 0);
  CHECK(max_difference(frames[1], frames[2]) > 0);
  // The step after the recalled place continues from the recalled state: as if the detour never was.
  const auto straight = walk(*simulator, {kForward, kForward, kForward});
  CHECK(max_difference(frames[4], straight[2]) == 0);
}

TEST_CASE("with the memory a batch still equals single rollouts", "[model][memory]") {
  auto simulator = Simulator::load(testing::tiny_run().run);
  // Mean rollouts: a single rollout draws from the stream of row 0, so sampled rows 1.. differ.
  simulator->set_place_memory(GENERATE(true, false));
  const std::vector<std::vector<std::vector<float>>> actions{out_and_back(),
                                                             {kForward, kLeft, kForward, kForward, kRight, kBack}};
  const auto batched = rollout(*simulator, {start_frames(), start_frames()}, {}, actions, 11);
  for (int b = 0; b < 2; ++b) {
    const auto single = rollout(*simulator, {start_frames()}, {}, {actions[static_cast<size_t>(b)]}, 11);
    for (size_t t = 0; t < single[0].size(); ++t) {
      INFO("trajectory " << b << " step " << t);
      CHECK(max_difference(single[0][t], batched[static_cast<size_t>(b)][t]) <= 1);  // batched conv rounding
    }
  }
  if (simulator->place_memory()) CHECK(max_difference(batched[0].back(), start_frames().back()) == 0);
}

TEST_CASE("a saved state carries the memory", "[model][memory]") {
  auto simulator = Simulator::load(testing::tiny_run().run);
  simulator->reset_single(start_frames(), 5);
  simulator->step_single(kForward);
  const auto saved = simulator->save_state();
  simulator->reset_single({testing::moving_square(3, 0)}, 5);  // another walk, another memory
  simulator->restore_state(saved);
  CHECK(max_difference(simulator->step_single(kBack), start_frames().back()) == 0);
}

TEST_CASE("the place memory: poses from actions, tolerance, capacity, other schemas", "[model][memory]") {
  PlaceMemoryOptions options;
  options.capacity = 2;
  PlaceMemory memory(dw::data::ActionSchema::navigation(dw::nav::ActionLimits{}), options);
  REQUIRE(memory.active());
  memory.start(1);
  memory.remember(filled_state(1, 1.0f), true);  // at the origin
  memory.move({kForward});
  CHECK(memory.poses()[0].x == Approx(dw::nav::ActionLimits{}.max_forward));
  memory.remember(filled_state(1, 2.0f), true);
  memory.move({kForward});
  memory.remember(filled_state(1, 3.0f), true);  // capacity 2: the origin is forgotten
  CHECK(memory.size(0) == 2);
  ImaginationState state = filled_state(1, 9.0f);
  CHECK(memory.recall(state) == std::vector<bool>{true});  // here: 3
  CHECK(state.last_frame.max().item<float>() == 3.0f);
  memory.move({kBack});
  CHECK(memory.recall(state) == std::vector<bool>{true});
  CHECK(state.last_frame.max().item<float>() == 2.0f);
  memory.move({kBack});
  state = filled_state(1, 9.0f);
  CHECK(memory.recall(state) == std::vector<bool>{false});
  CHECK(state.last_frame.max().item<float>() == 9.0f);
  memory.move({{0.9f, 0.0f, 0.0f}});  // 0.108: 0.012 cells short of a remembered pose, the same place
  CHECK(memory.recall(state) == std::vector<bool>{true});
  CHECK(state.last_frame.max().item<float>() == 2.0f);
  memory.move({{0.0f, 0.0f, 0.09f}});  // the same position turned by 0.009 rad: the same place
  CHECK(memory.recall(state) == std::vector<bool>{true});
  memory.move({{0.0f, 0.0f, 0.12f}});  // 0.021 rad: not
  CHECK(memory.recall(state) == std::vector<bool>{false});
  memory.move({{0.0f, 0.0f, -0.21f}});
  memory.move({{-0.2f, 0.0f, 0.0f}});  // 0.084: 0.036 cells from it, not
  CHECK(memory.recall(state) == std::vector<bool>{false});
  memory.set_enabled(false);
  CHECK_FALSE(memory.active());

  dw::data::ActionSchema other;
  other.names = {"throttle"};
  other.limits = {1.0f};
  PlaceMemory none(other);
  CHECK_FALSE(none.active());
  none.start(1);
  none.move({{0.5f}});
  none.remember(filled_state(1, 1.0f), true);
  state = filled_state(1, 9.0f);
  CHECK(none.recall(state) == std::vector<bool>{false});
}

TEST_CASE("replacing rows leaves views of the old state untouched", "[model][memory]") {
  ImaginationState state = filled_state(3, 0.0f);
  const ImaginationState kept = state_row(state, 1);
  replace_rows(state, {1}, {filled_state(1, 5.0f)});
  CHECK(state.last_frame[1].min().item<float>() == 5.0f);
  CHECK(state.last_frame[0].max().item<float>() == 0.0f);
  CHECK(kept.last_frame.max().item<float>() == 0.0f);
  CHECK(state.latent.tensors[0][1].min().item<float>() == 5.0f);
}
