// Helpers shared by the policy sources: smoothing actions so that step-to-step changes stay small
// (the actions become a video), a seeded Ornstein-Uhlenbeck wander, angle arithmetic, and the
// coverage bookkeeping (visit counts, path to the nearest unvisited cell) of explore and keys.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "nav/policy.h"
#include "nav/random.h"

namespace dw::nav {

constexpr float kPolicyPi = 3.14159265358979323846f;
// Largest change of any action component from one step to the next.
constexpr float kMaxActionChange = 0.2f;

inline float wrap_pi(float angle) {
  while (angle >= kPolicyPi) angle -= 2 * kPolicyPi;
  while (angle < -kPolicyPi) angle += 2 * kPolicyPi;
  return angle;
}

inline float approach(float current, float desired, float max_change) {
  return std::clamp(current + std::clamp(desired - current, -max_change, max_change), -1.0f, 1.0f);
}

// Moves `current` toward `desired` by at most kMaxActionChange per component.
inline Action smooth_toward(const Action& current, const Action& desired) {
  return {approach(current.forward, desired.forward, kMaxActionChange),
          approach(current.strafe, desired.strafe, kMaxActionChange),
          approach(current.turn, desired.turn, kMaxActionChange)};
}

// Mean-reverting noise in [-1, 1]: smooth from step to step, seeded.
class Wander {
 public:
  Wander(float reversion, float noise) : reversion_(reversion), noise_(noise) {}
  float next(Rng& rng) {
    value_ += -reversion_ * value_ + noise_ * rng.uniform(-1.0f, 1.0f);
    value_ = std::clamp(value_, -1.0f, 1.0f);
    return value_;
  }

 private:
  float reversion_, noise_, value_ = 0.0f;
};

// Visit counts per cell in rounds (when every cell has been visited this round, the next round
// starts, so long episodes keep sweeping the map) and a breadth-first path to the nearest cell not
// yet visited this round. Implemented in policy_explore.cpp; explore steers along the path
// smoothly, keys biases its key chords toward it.
class CoverageMap {
 public:
  // Counts the cell under `pose` when the agent has just entered it and returns its index
  // (y * width + x). Starts afresh when the world's size changes.
  int visit(const World& world, const Pose& pose);
  // Keeps the path current from `cell`: a new target when there is none or it has been visited,
  // else a fresh path to the same target. `rng` breaks ties between equally near cells.
  void update_path(const World& world, int cell, Rng& rng);
  bool has_target() const { return target_ >= 0; }
  int target() const { return target_; }  // cell index, -1 for none
  bool has_path() const { return !path_.empty(); }
  // Gives up on the target (the agent cannot seem to reach it): it counts as visited this round.
  void drop_target();
  // Centre of the farthest of the next few path cells in clear sight from `pose`; needs a path.
  void next_waypoint(const World& world, const Pose& pose, float& x, float& y) const;

 private:
  template <typename Wanted>
  int search(const World& world, int start, Rng& rng, Wanted wanted);
  void build_path(int start, int goal);

  int width_ = 0, height_ = 0;
  std::vector<int> visits_;
  std::vector<int> parents_;
  std::vector<int> path_;  // goal .. first step: read from the back
  int target_ = -1, last_cell_ = -1, round_ = 1;
};

std::unique_ptr<Policy> make_explore_policy(std::uint64_t seed);
std::unique_ptr<Policy> make_keys_policy(std::uint64_t seed);

}  // namespace dw::nav
