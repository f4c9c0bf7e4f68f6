// Data-collection policies: names, determinism, action range and smoothness, and coverage.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "nav/policy.h"
#include "nav/user_error.h"

using dw::nav::Action;
using dw::nav::Pose;
using dw::nav::World;

namespace {

struct Run {
  std::vector<Action> actions;
  std::vector<Pose> poses;
};

Run drive(const World& world, const std::string& name, std::uint64_t seed, int steps) {
  auto policy = dw::nav::make_policy(name, seed);
  Run run;
  Pose pose = world.spawn_pose(seed);
  run.poses.push_back(pose);
  for (int i = 0; i < steps; ++i) {
    const Action action = policy->next_action(world, pose);
    pose = world.step(pose, action);
    run.actions.push_back(action);
    run.poses.push_back(pose);
  }
  return run;
}

size_t cells_visited(const Run& run) {
  std::set<std::pair<int, int>> cells;
  for (const auto& pose : run.poses)
    cells.emplace(static_cast<int>(std::floor(pose.x)), static_cast<int>(std::floor(pose.y)));
  return cells.size();
}

bool same_actions(const Run& a, const Run& b) {
  if (a.actions.size() != b.actions.size()) return false;
  for (size_t i = 0; i < a.actions.size(); ++i) {
    if (a.actions[i].forward != b.actions[i].forward || a.actions[i].strafe != b.actions[i].strafe ||
        a.actions[i].turn != b.actions[i].turn)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("policy names and unknown names", "[nav][policy]") {
  CHECK(dw::nav::policy_names() == std::vector<std::string>{"random", "avoid", "explore"});
  CHECK_THROWS_AS(dw::nav::make_policy("nope", 1), dw::UserError);
  CHECK_THROWS_WITH(dw::nav::make_policy("nope", 1),
                    Catch::Contains("nope") && Catch::Contains("random") && Catch::Contains("explore"));
}

TEST_CASE("policies are deterministic for a seed and differ across seeds", "[nav][policy]") {
  const World world(21);
  for (const auto& name : dw::nav::policy_names()) {
    INFO(name);
    const Run a = drive(world, name, 3, 400), b = drive(world, name, 3, 400);
    CHECK(same_actions(a, b));
    CHECK_FALSE(same_actions(a, drive(world, name, 4, 400)));
  }
}

TEST_CASE("policy actions stay in [-1, 1] and change smoothly", "[nav][policy]") {
  const World world(22);
  for (const auto& name : dw::nav::policy_names()) {
    INFO(name);
    const Run run = drive(world, name, 5, 2000);
    float largest_jump = 0.0f, largest_value = 0.0f;
    bool moved = false;
    for (size_t i = 0; i < run.actions.size(); ++i) {
      const Action& a = run.actions[i];
      for (float v : {a.forward, a.strafe, a.turn}) {
        REQUIRE(std::isfinite(v));
        largest_value = std::max(largest_value, std::fabs(v));
      }
      if (i > 0) {
        const Action& p = run.actions[i - 1];
        largest_jump = std::max({largest_jump, std::fabs(a.forward - p.forward),
                                 std::fabs(a.strafe - p.strafe), std::fabs(a.turn - p.turn)});
      }
      moved = moved || std::fabs(run.poses[i + 1].x - run.poses[0].x) > 1.0f;
    }
    CHECK(largest_value <= 1.0f);
    CHECK(largest_jump <= 0.25f);
    CHECK(moved);
  }
}

TEST_CASE("explore covers more of the map than a random walk", "[nav][policy]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const World world(seed);
    INFO("seed " << seed);
    const size_t explored = cells_visited(drive(world, "explore", seed, 2000));
    const size_t wandered = cells_visited(drive(world, "random", seed, 2000));
    CHECK(explored > wandered);
    CHECK(explored * 2 > static_cast<size_t>(world.free_cell_count()));
  }
}
