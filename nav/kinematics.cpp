// The motion an action asks for (nav/pose.h): one copy, so the world's collisions and the model's
// dead reckoning start from the same arithmetic (bit for bit, as the revisit scripts need).
#include <algorithm>
#include <cmath>

#include "nav/portable_math.h"
#include "nav/pose.h"

namespace dw::nav {
namespace {

constexpr float kPi = 3.14159265358979323846f;

float wrap_angle(float yaw) {
  if (yaw >= kPi) yaw -= 2 * kPi;
  if (yaw < -kPi) yaw += 2 * kPi;
  return yaw;
}

float clamp_unit(float value) { return std::clamp(value, -1.0f, 1.0f); }

}  // namespace

Motion intended_motion(const Pose& pose, const Action& action, const ActionLimits& limits) {
  Motion motion;
  motion.yaw = wrap_angle(pose.yaw + clamp_unit(action.turn) * limits.max_turn);
  const float c = portable_cos(motion.yaw);
  const float s = portable_sin(motion.yaw);
  const float forward = clamp_unit(action.forward) * limits.max_forward;
  const float strafe = clamp_unit(action.strafe) * limits.max_strafe;
  motion.dx = forward * c + strafe * s;
  motion.dy = forward * s - strafe * c;
  return motion;
}

Pose free_step(const Pose& pose, const Action& action, const ActionLimits& limits) {
  const Motion motion = intended_motion(pose, action, limits);
  return {pose.x + motion.dx, pose.y + motion.dy, motion.yaw};
}

std::vector<Pose> free_path(const std::vector<std::vector<float>>& actions, std::size_t count,
                            const ActionLimits& limits) {
  std::vector<Pose> path;
  for (std::size_t t = 0; t < count; ++t) {
    if (t == 0 || t - 1 >= actions.size()) {
      path.push_back(path.empty() ? Pose{} : path.back());
      continue;
    }
    const std::vector<float>& a = actions[t - 1];
    path.push_back(free_step(path.back(), {a.at(0), a.at(1), a.at(2)}, limits));
  }
  return path;
}

Action action_between(const Pose& from, const Pose& to, const ActionLimits& limits) {
  const float c = portable_cos(to.yaw);
  const float s = portable_sin(to.yaw);
  const float dx = to.x - from.x;
  const float dy = to.y - from.y;
  // intended_motion: dx = f c + r s, dy = f s - r c (f forward, r strafe, in cells).
  return {(dx * c + dy * s) / limits.max_forward, (dx * s - dy * c) / limits.max_strafe,
          wrap_angle(to.yaw - from.yaw) / limits.max_turn};
}

Pose relative(const Pose& from, const Pose& to) {
  const float c = portable_cos(from.yaw);
  const float s = portable_sin(from.yaw);
  const float dx = to.x - from.x;
  const float dy = to.y - from.y;
  return {c * dx + s * dy, -s * dx + c * dy, wrap_angle(to.yaw - from.yaw)};
}

Pose compose(const Pose& base, const Pose& offset) {
  const float c = portable_cos(base.yaw);
  const float s = portable_sin(base.yaw);
  return {base.x + c * offset.x - s * offset.y, base.y + s * offset.x + c * offset.y,
          wrap_angle(base.yaw + offset.yaw)};
}

float heading_difference(float a, float b) {
  const float d = std::fmod(std::fabs(a - b), 2 * kPi);
  return std::min(d, 2 * kPi - d);
}

}  // namespace dw::nav
