// The viewer's Go to through its stepper: it walks the session to a goal pose by planning (with the
// ground-truth world as the planning model, so the test needs no trained checkpoint), shows the
// plan, ends by itself at the goal, stops on Esc, ignores keys meanwhile, and planning with the
// session's own simulator does not disturb the walk. Torch- and Vulkan-free.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "model/plan_world.h"
#include "model/revisit.h"
#include "tests/viewer/fake_simulator.h"
#include "viewer/go_to.h"
#include "viewer/key_bindings.h"
#include "viewer/session.h"
#include "viewer/stepper.h"

using namespace dw;
using namespace dw::viewer;

namespace {

constexpr std::uint64_t kWorldSeed = 1;

// Waits (bounded) until `done` holds for the latest snapshot.
template <typename Predicate>
Snapshot wait_until(Stepper& stepper, Predicate done) {
  Snapshot latest;
  for (int i = 0; i < 20000; ++i) {
    stepper.fetch(latest);
    if (latest.version > 0 && done(latest)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return latest;
}

StepperSettings go_to_settings(const model::ModelInfo& info) {
  StepperSettings settings;
  settings.tick_rate = 500.0;
  settings.make_go_to_planning = [info] {
    GoToPlanning planning;
    planning.model = model::world_planning_model(model::revisit_world(info, kWorldSeed), info.width, info.height, 1);
    planning.space = model::pixel_space();
    return planning;
  };
  settings.go_to_options.max_steps = 24;
  settings.go_to_options.planner.seed = 1;
  return settings;
}

// A few steps forward and a little turn from `start`: where a short walk leads.
nav::Pose nearby(const nav::World& world, nav::Pose pose) {
  for (int t = 0; t < 6; ++t) pose = world.step(pose, {1.0f, 0.0f, 0.5f});
  return pose;
}

}  // namespace

TEST_CASE("Go to walks the session to a goal pose and stops there", "[viewer][go_to]") {
  test::FakeSimulator simulator(32);
  Session session(simulator, 7);
  session.start(WalkStart{kWorldSeed, {}});
  const nav::World world = model::revisit_world(simulator.info(), kWorldSeed);
  const nav::Pose goal = nearby(world, session.now().pose);
  REQUIRE_FALSE(model::is_within(session.now().pose, goal, {}));

  Stepper stepper(session, KeyBindings(simulator.info().schema), go_to_settings(simulator.info()));
  stepper.start();
  stepper.request_go_to(GoToGoal{model::world_view(world, goal, 32, 32), goal, "the test's goal"});
  const Snapshot running = wait_until(stepper, [](const Snapshot& s) { return s.go_to.is_active && !s.go_to.plan.empty(); });
  CHECK(running.go_to.plan.size() == 16);  // the default horizon: the filmstrip of the current plan
  CHECK(running.go_to.goal_source == "the test's goal");
  const Snapshot ended = wait_until(stepper, [](const Snapshot& s) { return !s.go_to.is_active && !s.go_to.outcome.empty(); });
  stepper.stop();

  INFO(ended.go_to.outcome);
  CHECK(ended.go_to.outcome.rfind("reached the goal", 0) == 0);
  REQUIRE(ended.pose);
  CHECK(model::is_within(*ended.pose, goal, {}));
  CHECK(ended.step <= 24);
  CHECK(ended.step == session.current());  // it stopped stepping at the goal (nothing held, no script)
  CHECK(stepper.status_message().find("Go to reached the goal") == 0);
}

TEST_CASE("Esc stops Go to, and held keys do not steer it", "[viewer][go_to]") {
  test::FakeSimulator simulator(32);
  Session session(simulator, 7);
  session.start(WalkStart{kWorldSeed, {}});
  StepperSettings settings = go_to_settings(simulator.info());
  settings.go_to_options.max_steps = 100000;  // no goal pose: only Esc ends it
  Stepper stepper(session, KeyBindings(simulator.info().schema), settings);
  stepper.start();
  const Image goal = model::world_view(model::revisit_world(simulator.info(), kWorldSeed), {2.5f, 2.5f, 1.0f}, 32, 32);
  stepper.request_go_to(GoToGoal{goal, std::nullopt, "goal.png"});
  stepper.set_key("S", true);  // held back: Go to's plan, not the key, picks the actions
  wait_until(stepper, [](const Snapshot& s) { return s.go_to.steps >= 3; });
  stepper.stop_go_to();
  const Snapshot stopped = wait_until(stepper, [](const Snapshot& s) { return !s.go_to.is_active && !s.go_to.outcome.empty(); });
  stepper.set_key("S", false);
  stepper.stop();

  INFO(stopped.go_to.outcome);
  CHECK(stopped.go_to.outcome.find("(Esc)") != std::string::npos);
  CHECK(stopped.go_to.steps >= 3);
  int planned_steps = 0;
  for (int i = 1; i <= stopped.go_to.steps; ++i) {
    planned_steps += session.entry(i).action != std::vector<float>{-1.0f, 0.0f, 0.0f};  // S is full backward
  }
  CHECK(planned_steps >= stopped.go_to.steps - 1);  // CEM almost never draws exactly (-1, 0, 0)
}

TEST_CASE("Go to without a planner, or already at its goal, ends at once with a message", "[viewer][go_to]") {
  test::FakeSimulator simulator(32);
  Session session(simulator, 7);
  session.start(WalkStart{kWorldSeed, {}});
  SECTION("no planner") {
    Stepper stepper(session, KeyBindings(simulator.info().schema), StepperSettings{});
    stepper.start();
    stepper.request_go_to(GoToGoal{session.now().dream, std::nullopt, "frame 0"});
    for (int i = 0; i < 2000 && stepper.status_message().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(stepper.status_message().find("Go to is not available") != std::string::npos);
    stepper.stop();
  }
  SECTION("the current frame as the goal") {
    Stepper stepper(session, KeyBindings(simulator.info().schema), go_to_settings(simulator.info()));
    stepper.start();
    stepper.request_go_to(GoToGoal{*session.now().truth, session.now().pose, "frame 0"});
    const Snapshot ended = wait_until(stepper, [](const Snapshot& s) { return !s.go_to.outcome.empty(); });
    stepper.stop();
    CHECK(ended.go_to.outcome.rfind("reached the goal after 0 steps", 0) == 0);
    CHECK(session.current() == 0);
  }
}

TEST_CASE("planning with the session's own simulator leaves the walk as it was", "[viewer][go_to]") {
  const std::vector<std::vector<float>> actions = {{1, 0, 0.5f}, {0.5f, 0.2f, 0}, {1, 0, -1}};
  auto walk = [&](bool plans_between) {
    test::FakeSimulator simulator(32);
    Session session(simulator, 7);
    session.start(WalkStart{kWorldSeed, {}});
    auto planning_model = model::simulator_planning_model(simulator, 0);
    for (const auto& action : actions) {
      if (plans_between) {
        const model::PlanContext context = plan_context_of(session, simulator.info().context);
        planning_model->imagine(context, std::vector<model::ActionSequence>(5, model::ActionSequence(4, {-1, 1, 1})));
      }
      session.step(action);
    }
    return session.now().dream.pixels;
  };
  CHECK(walk(true) == walk(false));
}

TEST_CASE("the planner observes the last frames of the walk: truth in a world, else the dream", "[viewer][go_to]") {
  test::FakeSimulator simulator(32, 3);
  Session session(simulator, 7);
  session.start(WalkStart{kWorldSeed, {}});
  for (int t = 0; t < 4; ++t) session.step({1.0f, 0.0f, 0.1f * static_cast<float>(t)});
  const model::PlanContext context = plan_context_of(session, 3);
  REQUIRE(context.frames.size() == 3);
  CHECK(context.frames.back().pixels == session.now().truth->pixels);
  CHECK(context.frames.front().pixels == session.entry(2).truth->pixels);
  REQUIRE(context.actions.size() == 2);
  CHECK(context.actions.back() == session.entry(4).action);
  REQUIRE(context.pose);

  Image start(32, 32);
  session.start(WalkStart{std::nullopt, start});
  session.step({1.0f, 0.0f, 0.0f});
  const model::PlanContext dreamed = plan_context_of(session, 3);
  REQUIRE(dreamed.frames.size() == 2);
  CHECK(dreamed.frames.back().pixels == session.now().dream.pixels);
  CHECK_FALSE(dreamed.pose);
}
