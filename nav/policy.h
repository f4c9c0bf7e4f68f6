// Seeded data-collection policies that drive the agent through a World: a random walk with
// momentum, wall-avoiding exploration, coverage exploration that tries to visit every cell, and
// keyboard-like key chords.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nav/pose.h"
#include "nav/world.h"

namespace dw::nav {

class Policy {
 public:
  virtual ~Policy() = default;
  // The next action for the agent at `pose`; may keep internal state (momentum, targets).
  virtual Action next_action(const World& world, const Pose& pose) = 0;
};

// Names accepted by make_policy: {"random", "avoid", "explore", "keys"}.
//   random:  random walk with momentum (the action drifts toward targets that change now and then)
//   avoid:   wall-avoiding wander (short ray probes; turns toward open space, slows at walls)
//   explore: coverage (visit counts per cell, breadth-first path to the nearest unvisited cell)
//   keys:    what a person at the keyboard does: every component exactly -1, 0 or 1, each chord
//            held for kKeysMinHold..kKeysMaxHold steps; pauses, turns on the spot, backing up,
//            strafing, walking into and along walls, and most chords head for the
//            nearest unvisited cell (as explore), so the map still gets covered
// All are deterministic for a seed and keep actions in [-1, 1]. random, avoid and explore change
// each component by at most 0.2 per step, so their video changes smoothly; keys jumps on purpose.
std::vector<std::string> policy_names();
// Steps a keys chord is held (inclusive); consecutive chords differ.
constexpr int kKeysMinHold = 3;
constexpr int kKeysMaxHold = 40;
// Throws UserError for an unknown name (the message lists the known ones).
std::unique_ptr<Policy> make_policy(const std::string& name, std::uint64_t seed);

}  // namespace dw::nav
