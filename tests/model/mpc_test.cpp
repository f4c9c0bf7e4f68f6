// The MPC loop on a fake model whose frames encode the agent's position (it reaches a goal image),
// success and ATE/RPE on hand-made paths, goal-pose checks, and the ground-truth-world-as-model
// baseline reaching easy goals in a real world.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/mpc.h"
#include "model/plan_world.h"
#include "model/revisit.h"
#include "nav/base/user_error.h"

using namespace dw;
using namespace dw::model;

namespace {

constexpr int kSize = 16;
constexpr float kStep = 0.5f;  // pixels per step at |action| = 1

// The position as the frame's colour (red = x, green = y), with a fixed texture on top: pixel
// distance between two frames grows with the distance between their positions.
Image dot_frame(float x, float y) {
  Image image(kSize, kSize);
  for (int py = 0; py < kSize; ++py) {
    for (int px = 0; px < kSize; ++px) {
      std::uint8_t* p = image.at(px, py);
      p[0] = static_cast<std::uint8_t>(std::lround(x / (kSize - 1) * 255.0f));
      p[1] = static_cast<std::uint8_t>(std::lround(y / (kSize - 1) * 255.0f));
      p[2] = static_cast<std::uint8_t>((px * 7 + py * 3) % 64);
    }
  }
  return image;
}

struct Point {
  float x, y;
  Point moved(const std::vector<float>& action) const {
    return {std::clamp(x + kStep * action[0], 0.0f, kSize - 1.0f), std::clamp(y + kStep * action[1], 0.0f, kSize - 1.0f)};
  }
};

// Reads the position back from the context's last frame, as a model would have to: it never sees
// the environment's state.
Point position_in(const Image& frame) {
  return {frame.pixels[0] / 255.0f * (kSize - 1), frame.pixels[1] / 255.0f * (kSize - 1)};
}

class DotModel final : public PlanningModel {
 public:
  int action_dimension() const override { return 2; }
  int context() const override { return 2; }
  int width() const override { return kSize; }
  int height() const override { return kSize; }
  std::vector<std::vector<Image>> imagine(const PlanContext& context, const std::vector<ActionSequence>& sequences,
                                          ImaginedFrames /*which: always every frame*/) override {
    ++batches;
    std::vector<std::vector<Image>> frames(sequences.size());
    for (size_t n = 0; n < sequences.size(); ++n) {
      Point point = position_in(context.frames.back());
      for (const auto& action : sequences[n]) {
        point = point.moved(action);
        frames[n].push_back(dot_frame(point.x, point.y));
      }
    }
    return frames;
  }
  int batches = 0;
};

class DotEnvironment final : public Environment {
 public:
  DotEnvironment(Point start, Point goal) : point_(start), goal_(goal) {}
  Image view() const override { return dot_frame(point_.x, point_.y); }
  void act(const std::vector<float>& action) override { point_ = point_.moved(action); }
  bool is_at_goal() const override { return std::hypot(point_.x - goal_.x, point_.y - goal_.y) <= 0.75f; }

 private:
  Point point_, goal_;
};

MpcOptions small_mpc() {
  MpcOptions options;
  options.planner.horizon = 6;
  options.planner.population = 32;
  options.planner.elites = 6;
  options.planner.iterations = 3;
  options.planner.seed = 1;
  options.replan_every = 2;
  options.max_steps = 60;
  return options;
}

}  // namespace

TEST_CASE("MPC on a model whose frames encode the position reaches the goal image", "[plan]") {
  for (PlanMethod method : {PlanMethod::cem, PlanMethod::mppi}) {
    INFO(plan_method_name(method));
    DotModel model;
    auto space = pixel_space();
    DotEnvironment environment({3, 3}, {11, 12});
    MpcOptions options = small_mpc();
    options.planner.method = method;
    const MpcGoal goal{space->embed({dot_frame(11, 12)}).front()};
    const MpcResult result = run_mpc(model, *space, environment, goal, {{environment.view()}, {}, {}}, options);
    CHECK(result.reached_goal);
    CHECK(result.actions.size() < 60u);
    CHECK(result.frames.size() == result.actions.size() + 1);
    REQUIRE(!result.replannings.empty());
    // One batch per iteration: the population goes through the model together.
    CHECK(model.batches == 3 * static_cast<int>(result.replannings.size()));
    CHECK(result.replannings.front().imagined.size() == 6u);
    CHECK(result.replannings.front().cost_per_iteration.size() == 3u);
  }
}

TEST_CASE("the layout space is the frame's 8x8 area average", "[plan]") {
  Image frame(16, 16);  // left half red, right half blue, one white pixel in the top-left cell
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) frame.at(x, y)[x < 8 ? 0 : 2] = 255;
  }
  frame.at(0, 0)[1] = frame.at(0, 0)[2] = 255;
  const Features cells = layout_space()->embed({frame}).front();
  REQUIRE(cells.size() == 8 * 8 * 3);
  auto cell = [&](int cx, int cy, int c) { return cells[static_cast<size_t>((cy * 8 + cx) * 3 + c)]; };
  CHECK(cell(3, 5, 0) == Approx(1.0f));
  CHECK(cell(3, 5, 2) == Approx(0.0f));
  CHECK(cell(4, 5, 2) == Approx(1.0f));
  CHECK(cell(0, 0, 1) == Approx(0.25f));  // one of the cell's 2x2 pixels
  CHECK(layout_space()->name() == "layout");
  CHECK_THROWS_WITH(check_cost_space("fog"), Catch::Contains("embedding, pixels, layout"));
}

TEST_CASE("MPC runs repeat for a seed", "[plan]") {
  auto run = [](std::uint64_t seed) {
    DotModel model;
    auto space = pixel_space();
    DotEnvironment environment({3, 3}, {11, 12});
    MpcOptions options = small_mpc();
    options.planner.seed = seed;
    options.max_steps = 8;
    return run_mpc(model, *space, environment, {space->embed({dot_frame(11, 12)}).front()},
                   {{environment.view()}, {}, {}}, options).actions;
  };
  CHECK(run(5) == run(5));
  CHECK(run(5) != run(6));
}

TEST_CASE("explore, without a goal, moves away from what it has seen", "[plan]") {
  DotModel model;
  auto space = pixel_space();
  DotEnvironment environment({8, 8}, {-100, -100});
  MpcOptions options = small_mpc();
  options.max_steps = 12;
  const MpcResult result = run_mpc(model, *space, environment, {}, {{environment.view()}, {}, {}}, options);
  REQUIRE(result.frames.size() == 13u);
  const Point start = position_in(result.frames.front()), end = position_in(result.frames.back());
  CHECK(std::hypot(end.x - start.x, end.y - start.y) > 3.0f);
}

TEST_CASE("success, ATE and RPE on hand-made paths", "[plan]") {
  const std::vector<nav::Pose> line{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 0, 0}};
  CHECK(path_errors(line, line).ate == 0.0);
  CHECK(path_errors(line, line).rpe == 0.0);
  std::vector<nav::Pose> shifted = line;
  for (auto& pose : shifted) pose.y += 1.0f;
  CHECK(path_errors(shifted, line).ate == Approx(1.0));
  CHECK(path_errors(shifted, line).rpe == Approx(0.0).margin(1e-9));
  // The same line walked in twice the steps is the same path by progress along it.
  const std::vector<nav::Pose> slow{{0, 0, 0}, {0.5f, 0, 0}, {1, 0, 0}, {1.5f, 0, 0}, {2, 0, 0},
                                    {2.5f, 0, 0}, {3, 0, 0}};
  CHECK(path_errors(slow, line).ate == Approx(0.0).margin(1e-6));
  // Standing still: every point but the first is off, each step misses one cell.
  const std::vector<nav::Pose> still{{0, 0, 0}};
  CHECK(path_errors(still, line).ate == Approx(std::sqrt((0 + 1 + 4 + 9) / 4.0)));
  CHECK(path_errors(still, line).rpe == Approx(1.0));

  const GoalTolerance tolerance;
  CHECK(is_within({1.0f, 1.0f, 6.2f}, {1.3f, 1.2f, 0.05f}, tolerance));  // heading wraps round
  CHECK_FALSE(is_within({1.0f, 1.0f, 0.0f}, {1.6f, 1.0f, 0.0f}, tolerance));
  CHECK_FALSE(is_within({1.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 0.4f}, tolerance));
  CHECK(heading_error({0, 0, 3.0f}, {0, 0, -3.0f}) == Approx(2 * M_PI - 6.0).margin(1e-5));
}

TEST_CASE("CEM with the ground-truth world as the model reaches easy goals", "[plan]") {
  const nav::World world(1);
  int reached = 0;
  for (std::uint64_t spawn = 0; spawn < 3; ++spawn) {
    const nav::Pose start = world.spawn_pose(spawn);
    nav::Pose goal = start;  // a few steps forward and a little turn: where a short walk leads
    for (int t = 0; t < 6; ++t) goal = world.step(goal, {1.0f, 0.0f, 0.5f});
    auto model = world_planning_model(world, 32, 32, 1);
    auto space = pixel_space();
    WorldEnvironment environment(world, start, 32, 32, goal);
    MpcOptions options = small_mpc();
    options.planner.horizon = 8;
    options.replan_every = 4;
    options.max_steps = 24;
    const MpcResult result = run_mpc(*model, *space, environment, {space->embed({world_view(world, goal, 32, 32)}).front()},
                                     {{environment.view()}, {}, {}}, options);
    reached += result.reached_goal;
    CHECK(result.poses.size() == result.actions.size() + 1);
  }
  CHECK(reached == 3);
}
