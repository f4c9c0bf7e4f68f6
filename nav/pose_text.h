// Poses as text ("X,Y,YAW"), for command-line flags: strict parsing with one-line UserErrors, and
// the check that a user-given pose actually stands in free space.
#pragma once

#include <string>

#include "nav/pose.h"
#include "nav/world.h"

namespace dw::nav {

// Parses "X,Y,YAW" (three finite numbers, yaw in radians). `flag` names the source in errors.
Pose parse_pose(const std::string& text, const std::string& flag);
std::string format_pose(const Pose& pose);
// Throws UserError (naming `flag`) when the agent cannot stand at `pose` in `world`.
void require_free_pose(const World& world, const Pose& pose, const std::string& flag);

}  // namespace dw::nav
