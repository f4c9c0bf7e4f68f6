// Helpers shared by the policy sources: smoothing actions so that step-to-step changes stay small
// (the actions become a video), a seeded Ornstein-Uhlenbeck wander, and angle arithmetic.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

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

std::unique_ptr<Policy> make_explore_policy(std::uint64_t seed);

}  // namespace dw::nav
