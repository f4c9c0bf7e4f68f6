// Keyboard-like data collection: every action component is exactly -1, 0 or 1, as from the
// viewer's keys, and each "chord" of keys is held for kKeysMinHold..kKeysMaxHold steps. The smooth
// policies never show the model a standstill, an abrupt start, backing up or pushing against a
// wall, yet that is what a person at the keyboard does; this policy does all of those, and about
// two thirds of its chords head for the nearest unvisited cell (CoverageMap, as explore) so that
// the map still gets covered.
#include <cmath>

#include "nav/policy_common.h"
#include "nav/portable_math.h"

namespace dw::nav {

namespace {

// A person alternates between going somewhere (travel: mostly chords toward the target) and
// fiddling about (play: pauses, looking around, backing up, sidesteps, pushing at walls).
constexpr float kTravelPause = 0.05f, kTravelHeading = 0.85f;  // shares of travel chords
constexpr float kPlayPause = 0.15f;                            // share of play chords
constexpr float kLeaveTravel = 0.1f, kLeavePlay = 0.35f;       // mode switches per chord
constexpr int kChordsPerTarget = 10;    // heading chords before an unreached target is dropped
constexpr float kAimed = 0.3f;          // radians: close enough to walk straight at a waypoint
constexpr float kWallProbe = 2.0f;      // cells: how far a wall may be to walk into or along it
constexpr int kPickAttempts = 4;

bool same_chord(const Action& a, const Action& b) {
  return a.forward == b.forward && a.strafe == b.strafe && a.turn == b.turn;
}

class KeysPolicy : public Policy {
 public:
  explicit KeysPolicy(std::uint64_t seed) : rng_(mix_seed(seed, 14)) {}

  Action next_action(const World& world, const Pose& pose) override {
    const int cell = coverage_.visit(world, pose);
    if (steps_left_ == 0) {
      update_target(world, cell);
      choose_chord(world, pose);
    }
    --steps_left_;
    return chord_;
  }

 private:
  // Planned only between chords: the search is the costly part, and a chord does not steer anyway.
  void update_target(const World& world, int cell) {
    coverage_.update_path(world, cell, rng_);
    if (coverage_.target() == target_ && heading_chords_ > kChordsPerTarget) {
      coverage_.drop_target();  // e.g. caught on a pillar corner: try the next nearest cell
      coverage_.update_path(world, cell, rng_);
    }
    if (coverage_.target() != target_) heading_chords_ = 0;
    target_ = coverage_.target();
  }

  // A new chord that differs from the one just released, so that runs of identical actions are
  // exactly the holds (what the tests measure, and what a key press is).
  void choose_chord(const World& world, const Pose& pose) {
    const Action released = chord_;
    bool heading = false;
    for (int attempt = 0; attempt < kPickAttempts && same_chord(chord_, released); ++attempt)
      heading = pick(world, pose);
    if (same_chord(chord_, released)) {
      chord_ = (released.forward == 0 && released.strafe == 0 && released.turn == 0) ? Action{0, 0, 1} : Action{};
      steps_left_ = random_hold();
      heading = false;
    }
    if (heading) ++heading_chords_;
  }

  // Returns true when the chord heads for the coverage target.
  bool pick(const World& world, const Pose& pose) {
    if (rng_.uniform01() < (travelling_ ? kLeaveTravel : kLeavePlay)) travelling_ = !travelling_;
    const float roll = rng_.uniform01();
    const float pause = travelling_ ? kTravelPause : kPlayPause;
    const float heading = travelling_ ? kTravelHeading : 0.0f;
    steps_left_ = random_hold();
    if (roll < pause) {
      chord_ = {};
    } else if (roll < pause + heading && coverage_.has_path()) {
      head_for_target(world, pose);
      return true;
    } else {
      play(world, pose);
    }
    return false;
  }

  void head_for_target(const World& world, const Pose& pose) {
    float wx = 0.0f, wy = 0.0f;
    coverage_.next_waypoint(world, pose, wx, wy);
    const float dx = wx - pose.x, dy = wy - pose.y;
    const float error = wrap_pi(static_cast<float>(portable_atan2(dy, dx)) - pose.yaw);
    const ActionLimits& limits = world.settings().limits;
    if (std::fabs(error) > kAimed) {
      const float side = error > 0 ? 1.0f : -1.0f;  // turn > 0 turns left, toward larger yaw
      // Mostly on the spot: a held forward + turn circles over a cell wide.
      chord_ = rng_.uniform01() < 0.25f ? Action{1, 0, side} : Action{0, 0, side};
      steps_left_ = hold_for(std::fabs(error) / limits.max_turn);
    } else {
      chord_ = {1, 0, 0};
      // Often past the waypoint: the wall beyond it is one source of wall contact.
      const float distance = std::sqrt(dx * dx + dy * dy);
      steps_left_ = hold_for(distance / limits.max_forward * rng_.uniform(0.8f, 1.6f));
    }
  }

  // The rest of a person's repertoire, not aimed anywhere.
  void play(const World& world, const Pose& pose) {
    const float side = rng_.uniform_int(0, 1) ? 1.0f : -1.0f;
    switch (rng_.uniform_int(0, 6)) {
      case 0: chord_ = {0, 0, side}; break;   // look around on the spot
      case 1: chord_ = {-1, 0, 0}; break;     // back up
      case 2: chord_ = {-1, 0, side}; break;  // back up while turning
      case 3: chord_ = {0, side, 0}; break;   // sidestep
      case 4: chord_ = {1, side, 0}; break;   // walk diagonally
      case 5: chord_ = {1, 0, side}; break;   // walk in an arc
      default: along_wall(world, pose); break;
    }
  }

  // Forward while pressing toward the nearer side wall, so the world slides the agent along it;
  // with no side wall in reach, straight on into whatever is ahead and keep pushing.
  void along_wall(const World& world, const Pose& pose) {
    const float left = world.ray_distance(pose.x, pose.y, pose.yaw + kPolicyPi / 2, kWallProbe);
    const float right = world.ray_distance(pose.x, pose.y, pose.yaw - kPolicyPi / 2, kWallProbe);
    if (std::min(left, right) < kWallProbe) chord_ = {1, left < right ? -1.0f : 1.0f, 0};  // strafe > 0 is right
    else chord_ = {1, 0, 0};
  }

  // Mostly short taps, sometimes long holds: the square skews the uniform draw toward kKeysMinHold.
  int random_hold() {
    const float u = rng_.uniform01();
    return std::min(kKeysMaxHold, kKeysMinHold + static_cast<int>((kKeysMaxHold - kKeysMinHold + 1) * u * u));
  }
  static int hold_for(float steps) {
    const float bounded = std::clamp(steps, static_cast<float>(kKeysMinHold), static_cast<float>(kKeysMaxHold));
    return static_cast<int>(bounded + 0.5f);
  }

  Rng rng_;
  CoverageMap coverage_;
  Action chord_;
  int steps_left_ = 0;
  int target_ = -1;
  int heading_chords_ = 0;
  bool travelling_ = true;
};

}  // namespace

std::unique_ptr<Policy> make_keys_policy(std::uint64_t seed) { return std::make_unique<KeysPolicy>(seed); }

}  // namespace dw::nav
