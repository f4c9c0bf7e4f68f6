// The agent's continuous pose and the 3-float navigation action, with the per-step limits that
// turn an action in [-1,1] into world motion. World units: one grid cell = 1.0, yaw in radians,
// counter-clockwise.
#pragma once

#include <cstddef>
#include <vector>

namespace dw::nav {

struct Pose {
  float x = 0.0f;
  float y = 0.0f;
  float yaw = 0.0f;
};

// forward, strafe (right positive), turn (left positive); each in [-1, 1].
struct Action {
  float forward = 0.0f;
  float strafe = 0.0f;
  float turn = 0.0f;
};

// Per-step limits: |action| = 1 moves this far. Defaults keep a 64x64 video changing smoothly.
struct ActionLimits {
  float max_forward = 0.12f;  // cells per step
  float max_strafe = 0.08f;   // cells per step
  float max_turn = 0.10f;     // radians per step (about 5.7 degrees)
};

// What one action asks for before any wall is met: the heading after turning by
// turn * max_turn (wrapped to [-pi, pi)), and the forward/strafe displacement in that new heading.
// Components are clamped to [-1, 1]. World::step applies it with collisions; dead reckoning from
// actions alone (the model's place memory) applies it freely.
struct Motion {
  float yaw = 0.0f;
  float dx = 0.0f;
  float dy = 0.0f;
};
Motion intended_motion(const Pose& pose, const Action& action, const ActionLimits& limits);
// The pose `intended_motion` leads to in open space.
Pose free_step(const Pose& pose, const Action& action, const ActionLimits& limits);
// The poses of `count` frames by dead reckoning in open space, the first at the origin: frame t
// after actions[0..t-1] (forward, strafe, turn each; a missing row stands still).
std::vector<Pose> free_path(const std::vector<std::vector<float>>& actions, std::size_t count,
                            const ActionLimits& limits);
// The action that leads from `from` to `to` in open space (the inverse of free_step), for a move
// a wall changed: forward and strafe in `to`'s heading, not clamped to [-1, 1].
Action action_between(const Pose& from, const Pose& to, const ActionLimits& limits);
// The angle between two headings, in [0, pi].
float heading_difference(float a, float b);
// `to` as seen from `from` (x forward, y to the left, yaw relative), and back again: compose(a,
// relative(a, b)) == b.
Pose relative(const Pose& from, const Pose& to);
Pose compose(const Pose& base, const Pose& offset);

}  // namespace dw::nav
