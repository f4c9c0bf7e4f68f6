// Seeded data-collection policies that drive the agent through a World: a random walk with
// momentum, wall-avoiding exploration, and coverage exploration that tries to visit every cell.
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

// Names accepted by make_policy: {"random", "avoid", "explore"}.
//   random:  random walk with momentum (the action drifts toward targets that change now and then)
//   avoid:   wall-avoiding wander (short ray probes; turns toward open space, slows at walls)
//   explore: coverage (visit counts per cell, breadth-first path to the nearest unvisited cell)
// All are deterministic for a seed, keep actions in [-1, 1], and change each component by at
// most 0.2 per step, so the rendered video changes smoothly.
std::vector<std::string> policy_names();
// Throws UserError for an unknown name (the message lists the known ones).
std::unique_ptr<Policy> make_policy(const std::string& name, std::uint64_t seed);

}  // namespace dw::nav
