// The simple policies (random walk with momentum, wall-avoiding exploration) and the factory;
// explore and keys live in their own files.
#include "nav/policy.h"

#include <cmath>

#include "nav/policy_common.h"
#include "nav/base/user_error.h"

namespace dw::nav {

namespace {

// Random walk with momentum: the action drifts toward a target that changes now and then.
class RandomWalkPolicy : public Policy {
 public:
  explicit RandomWalkPolicy(std::uint64_t seed) : rng_(mix_seed(seed, 11)) { pick_target(); }

  Action next_action(const World&, const Pose&) override {
    if (rng_.uniform01() < 0.04f) pick_target();
    Action desired = target_;
    desired.turn = std::clamp(target_.turn + 0.5f * turn_wander_.next(rng_), -1.0f, 1.0f);
    action_ = smooth_toward(action_, desired);
    return action_;
  }

 private:
  void pick_target() {
    target_.forward = rng_.uniform(-0.3f, 1.0f);
    target_.strafe = rng_.uniform(-0.5f, 0.5f);
    target_.turn = rng_.uniform(-1.0f, 1.0f);
  }
  Rng rng_;
  Wander turn_wander_{0.05f, 0.15f};
  Action target_, action_;
};

// Wall-avoiding exploration: short ray probes ahead and to the sides; turns toward open space,
// slows down in front of walls, and pushes away from a close side wall.
class AvoidPolicy : public Policy {
 public:
  explicit AvoidPolicy(std::uint64_t seed)
      : rng_(mix_seed(seed, 12)), preferred_side_(rng_.uniform_int(0, 1) ? 1.0f : -1.0f) {}

  Action next_action(const World& world, const Pose& pose) override {
    const float probe = 3.0f;
    const float front = world.ray_distance(pose.x, pose.y, pose.yaw, probe);
    const float left = world.ray_distance(pose.x, pose.y, pose.yaw + 0.6f, probe);
    const float right = world.ray_distance(pose.x, pose.y, pose.yaw - 0.6f, probe);
    const float left_side = world.ray_distance(pose.x, pose.y, pose.yaw + kPolicyPi / 2, 1.0f);
    const float right_side = world.ray_distance(pose.x, pose.y, pose.yaw - kPolicyPi / 2, 1.0f);
    Action desired;
    if (front < 1.0f) {
      // Blocked ahead: commit to one side (the more open one, or the preferred one on a tie).
      if (std::fabs(left - right) > 0.2f) preferred_side_ = left > right ? 1.0f : -1.0f;
      desired.turn = preferred_side_;
      desired.forward = std::max(0.0f, (front - 0.45f) * 0.8f);
    } else {
      desired.turn = std::clamp(0.6f * (left - right) / probe + 0.6f * wander_.next(rng_), -1.0f, 1.0f);
      desired.forward = std::clamp((front - 0.45f) / 1.2f, 0.0f, 1.0f);
    }
    if (std::min(left_side, right_side) < 0.5f) {
      desired.strafe = std::clamp(1.5f * (right_side - left_side), -0.6f, 0.6f);  // right is +
    }
    action_ = smooth_toward(action_, desired);
    return action_;
  }

 private:
  Rng rng_;
  float preferred_side_;
  Wander wander_{0.04f, 0.12f};
  Action action_;
};

}  // namespace

std::vector<std::string> policy_names() { return {"random", "avoid", "explore", "keys"}; }

std::unique_ptr<Policy> make_policy(const std::string& name, std::uint64_t seed) {
  if (name == "random") return std::make_unique<RandomWalkPolicy>(seed);
  if (name == "avoid") return std::make_unique<AvoidPolicy>(seed);
  if (name == "explore") return make_explore_policy(seed);
  if (name == "keys") return make_keys_policy(seed);
  std::string known;
  for (const auto& known_name : policy_names()) known += (known.empty() ? "" : ", ") + known_name;
  throw UserError("unknown policy '" + name + "' (known: " + known + ")");
}

}  // namespace dw::nav
