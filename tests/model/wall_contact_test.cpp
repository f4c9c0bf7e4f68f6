// Walls seen in the start frames: two same start frames with a move asked between them stop every
// later move into that direction (the dream stands at the wall as the world does), slide along it,
// leave moves away alone, hold only near where the wall was met; the Simulator applies it to the
// model and its memories, unless switched off.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "model/simulator.h"
#include "model/wall_contact.h"
#include "tiny_run.h"

using namespace dw::model;

namespace {

const std::vector<float> kStill{0.0f, 0.0f, 0.0f};
const std::vector<float> kLeft{0.0f, -1.0f, 0.0f};  // strafe left
const std::vector<float> kRight{0.0f, 1.0f, 0.0f};
const std::vector<float> kForward{1.0f, 0.0f, 0.0f};
const std::vector<float> kForwardLeft{1.0f, -1.0f, 0.0f};

dw::data::ActionSchema navigation() { return dw::data::ActionSchema::navigation(dw::nav::ActionLimits{}); }

// A contact from start frames A, A, A with a strafe to the left asked between them.
WallContact wall_on_the_left() {
  WallContact contact(navigation());
  const dw::Image frame = testing::moving_square(1, 0);
  const auto happened = contact.start({{frame, frame, frame}}, {{kLeft, kLeft}}, 1);
  REQUIRE(happened.size() == 1);
  CHECK(happened[0] == std::vector<std::vector<float>>{kStill, kStill});  // nothing moved
  REQUIRE(contact.has_wall(0));
  return contact;
}

int max_difference(const dw::Image& a, const dw::Image& b) {
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) worst = std::max(worst, std::abs(a.pixels[i] - b.pixels[i]));
  return worst;
}

}  // namespace

TEST_CASE("a move asked between two same start frames is a wall: into it nothing moves", "[model][walls]") {
  WallContact contact = wall_on_the_left();
  CHECK(contact.apply({kLeft}).front() == kStill);
  CHECK(contact.apply({kLeft}).front() == kStill);  // still there after pushing again
  // Along the wall the move is kept, into it taken out: forward and left slides forward.
  const std::vector<float> slid = contact.apply({kForwardLeft}).front();
  CHECK(slid[0] == Approx(1.0f).margin(1e-4));
  CHECK(slid[1] == 0.0f);
  CHECK(contact.apply({kForward}).front() == kForward);
  CHECK(contact.apply({kRight}).front() == kRight);  // away from it: free
}

TEST_CASE("a wall holds only within reach of where it was met", "[model][walls]") {
  WallContact contact = wall_on_the_left();
  // Forward 10 steps of 0.12 cells: 1.2 cells from the contact, beyond the default reach of 1.
  for (int i = 0; i < 10; ++i) contact.apply({kForward});
  CHECK(contact.apply({kLeft}).front() == kLeft);
}

TEST_CASE("start frames that change, or no actions, leave every action as asked", "[model][walls]") {
  WallContact contact(navigation());
  const std::vector<std::vector<dw::Image>> moving{{testing::moving_square(1, 0), testing::moving_square(1, 1)}};
  CHECK(contact.start(moving, {{kLeft}}, 1) == std::vector<std::vector<std::vector<float>>>{{kLeft}});
  CHECK_FALSE(contact.has_wall(0));
  CHECK(contact.apply({kLeft}).front() == kLeft);
  // Same frames but nothing asked: no wall either.
  const dw::Image frame = testing::moving_square(1, 0);
  contact.start({{frame, frame}}, {{kStill}}, 1);
  CHECK_FALSE(contact.has_wall(0));
  // No actions given at all.
  CHECK(contact.start({{frame, frame}}, {}, 1).empty());
  CHECK(contact.apply({kLeft}).front() == kLeft);
}

TEST_CASE("one start repeated over a batch gives every row its wall; off or another schema changes nothing",
          "[model][walls]") {
  WallContact contact(navigation());
  const dw::Image frame = testing::moving_square(1, 0);
  contact.start({{frame, frame}}, {{kLeft}}, 3);
  CHECK(contact.apply({kLeft, kLeft, kRight}) == std::vector<std::vector<float>>{kStill, kStill, kRight});

  contact.set_enabled(false);
  contact.start({{frame, frame}}, {{kLeft}}, 1);
  CHECK(contact.apply({kLeft}).front() == kLeft);

  dw::data::ActionSchema other;
  other.names = {"jump"};
  WallContact none(other);
  CHECK_FALSE(none.active());
  CHECK(none.start({{frame, frame}}, {{{1.0f}}}, 1) == std::vector<std::vector<std::vector<float>>>{{{1.0f}}});
}

TEST_CASE("the Simulator's dream stands at a wall its start frames showed, as the world does", "[model][walls]") {
  auto simulator = Simulator::load(testing::tiny_run().run);
  const dw::Image frame = testing::moving_square(1, 0);
  const auto walk = [&](const std::vector<float>& action) {
    simulator->reset({{frame, frame}}, {{kLeft}}, 5);
    std::vector<dw::Image> frames;
    for (int t = 0; t < 3; ++t) frames.push_back(simulator->step_single(action));
    return frames;
  };
  // Pushing on into the wall is standing still: the place memory shows the last start frame.
  const auto pushed = walk(kLeft);
  const auto stood = walk(kStill);
  for (size_t t = 0; t < pushed.size(); ++t) {
    CHECK(max_difference(pushed[t], stood[t]) == 0);
    CHECK(max_difference(pushed[t], frame) == 0);
  }
  // A planner's population from the same start: every row stands.
  simulator->reset_repeated({frame, frame}, {kLeft}, 2, 5);
  for (const dw::Image& row : simulator->step({kLeft, kLeft})) CHECK(max_difference(row, frame) == 0);
  // Without the walls the model is told what was asked and walks on.
  simulator->set_start_walls(false);
  CHECK_FALSE(simulator->start_walls());
  CHECK(max_difference(walk(kLeft).back(), walk(kStill).back()) > 0);
}

TEST_CASE("what a wall lets happen is always an action in [-1, 1]", "[model][walls]") {
  // Forward and strafe have different limits: a slide along a wall met at an angle can ask for
  // more strafe than a step gives. Random walls, headings and actions.
  std::mt19937 random(7);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  const dw::Image frame = testing::moving_square(1, 0);
  for (int start = 0; start < 20; ++start) {
    WallContact contact(navigation());
    contact.start({{frame, frame}}, {{{unit(random), unit(random), 0.0f}}}, 1);
    for (int step = 0; step < 50; ++step) {
      const std::vector<float> asked{unit(random), unit(random), unit(random)};
      const std::vector<float> moved = contact.apply({asked}).front();
      for (const float value : moved) {
        CHECK(value >= -1.0f);
        CHECK(value <= 1.0f);
      }
      CHECK(moved[2] == asked[2]);  // a wall never changes a turn
    }
  }
}
