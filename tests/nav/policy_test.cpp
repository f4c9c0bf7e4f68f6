// Data-collection policies: names, determinism, action range and smoothness, coverage, and the
// keys policy's chords (values, hold lengths, the behaviours it promises).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "nav/policy.h"
#include "nav/base/user_error.h"

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
  CHECK(dw::nav::policy_names() == std::vector<std::string>{"random", "avoid", "explore", "keys"});
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
  for (const std::string name : {"random", "avoid", "explore"}) {  // keys jumps on purpose
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

namespace {

// Lengths of the runs of identical consecutive actions, without the last (cut off by the end).
std::vector<int> run_lengths(const Run& run) {
  std::vector<int> lengths{1};
  for (size_t i = 1; i < run.actions.size(); ++i) {
    const Action& a = run.actions[i];
    const Action& p = run.actions[i - 1];
    if (a.forward == p.forward && a.strafe == p.strafe && a.turn == p.turn) ++lengths.back();
    else lengths.push_back(1);
  }
  lengths.pop_back();
  return lengths;
}

bool is_key(float v) { return v == -1.0f || v == 0.0f || v == 1.0f; }

}  // namespace

TEST_CASE("keys presses only whole keys and holds each chord 3..40 steps", "[nav][policy][keys]") {
  for (std::uint64_t seed : {1u, 7u}) {
    const World world(seed);
    INFO("seed " << seed);
    const Run run = drive(world, "keys", seed, 3000);
    for (const Action& a : run.actions) {
      REQUIRE(is_key(a.forward));
      REQUIRE(is_key(a.strafe));
      REQUIRE(is_key(a.turn));
    }
    const std::vector<int> lengths = run_lengths(run);
    REQUIRE(lengths.size() > 50);
    const auto [shortest, longest] = std::minmax_element(lengths.begin(), lengths.end());
    CHECK(*shortest >= dw::nav::kKeysMinHold);
    CHECK(*longest <= dw::nav::kKeysMaxHold);
    // The holds are drawn, not fixed: both short taps and long holds occur.
    CHECK(*shortest < 8);
    CHECK(*longest > 25);
  }
}

TEST_CASE("keys pauses, turns on the spot, backs up, strafes and pushes into walls", "[nav][policy][keys]") {
  const World world(3);
  const Run run = drive(world, "keys", 3, 3000);
  const float max_forward = world.settings().limits.max_forward;
  int pauses = 0, turns_in_place = 0, backing = 0, strafing = 0, blocked = 0;
  for (size_t i = 0; i < run.actions.size(); ++i) {
    const Action& a = run.actions[i];
    const bool moving_keys = a.forward != 0.0f || a.strafe != 0.0f;
    if (!moving_keys && a.turn == 0.0f) ++pauses;
    if (!moving_keys && a.turn != 0.0f) ++turns_in_place;
    if (a.forward < 0.0f) ++backing;
    if (a.strafe != 0.0f) ++strafing;
    const float moved = std::hypot(run.poses[i + 1].x - run.poses[i].x, run.poses[i + 1].y - run.poses[i].y);
    if (moving_keys && moved < 0.25f * max_forward) ++blocked;  // a wall took (almost) all of the step
  }
  const int steps = static_cast<int>(run.actions.size());
  INFO("pauses " << pauses << ", turns " << turns_in_place << ", back " << backing << ", strafe " << strafing
                 << ", blocked " << blocked);
  CHECK(pauses * 50 > steps);  // each at least 2% of the steps
  CHECK(turns_in_place * 50 > steps);
  CHECK(backing * 50 > steps);
  CHECK(strafing * 50 > steps);
  CHECK(blocked * 50 > steps);
  CHECK(blocked * 4 < steps);  // but it does not spend its time stuck
}

TEST_CASE("keys is deterministic for a seed and still covers the map", "[nav][policy][keys]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const World world(seed);
    INFO("seed " << seed);
    const Run keys = drive(world, "keys", seed, 3000);
    CHECK(same_actions(keys, drive(world, "keys", seed, 3000)));
    CHECK_FALSE(same_actions(keys, drive(world, "keys", seed + 10, 3000)));
    const size_t covered = cells_visited(keys);
    CHECK(covered > cells_visited(drive(world, "random", seed, 3000)));
    CHECK(covered * 5 > static_cast<size_t>(world.free_cell_count()) * 2);  // over 40% in 3000 steps
  }
}
