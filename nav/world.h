// The ground-truth world: a procedural grid level of rooms and corridors generated from a seed,
// agent kinematics with wall sliding, and a CPU renderer for the egocentric view and a top-down map.
// Same seed + same actions => bit-identical frames.
//
// Conventions: cell (i, j) covers [i, i+1) x [j, j+1) in world units; x and y are the world axes
// (the map draws +y upward); yaw is counter-clockwise from +x, so the agent faces (cos yaw, sin yaw)
// and its right-hand side is (sin yaw, -cos yaw). Action.forward moves along the facing
// direction, Action.strafe > 0 moves to the right, Action.turn > 0 turns left (yaw increases).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nav/base/image.h"
#include "nav/pose.h"

namespace dw::nav {

struct WorldSettings {
  int grid_width = 24;   // cells
  int grid_height = 24;  // cells
  int room_count = 7;
  float agent_radius = 0.2f;  // cells; the agent's centre stays this far from any wall
  float field_of_view = 1.2f; // radians, horizontal
  ActionLimits limits;
};

class World {
 public:
  // Throws UserError when `settings` are out of range (see validate_settings in nav/level.h).
  World(std::uint64_t seed, WorldSettings settings = {});

  std::uint64_t seed() const { return seed_; }
  const WorldSettings& settings() const { return settings_; }
  int width() const { return settings_.grid_width; }
  int height() const { return settings_.grid_height; }
  bool is_wall(int cell_x, int cell_y) const;  // out of bounds counts as wall
  // Index of the room a cell belongs to, or -1 for corridors and walls.
  int room_at(int cell_x, int cell_y) const;
  // A free pose chosen from `seed` (deterministic), facing a random direction.
  Pose spawn_pose(std::uint64_t seed) const;
  // Applies one action: turn by turn*max_turn, then move forward/strafe in the new heading with
  // collision that slides along walls. Components are clamped to [-1, 1]; they must be finite
  // (asserted: callers validate user input). A free pose stays free.
  Pose step(const Pose& pose, const Action& action) const;
  // True when a disc of agent_radius at (x, y) touches no wall.
  bool is_free(float x, float y) const;

  // Egocentric RGB view, size x size pixels, 32..512 (throws UserError otherwise). Supersampled.
  Image render_view(const Pose& pose, int size) const;
  // Same, into an existing image (reused when it already has the right size): for tight loops.
  void render_view_into(const Pose& pose, int size, Image& out) const;
  // Distance from (x, y) along heading `angle` to the first wall, capped at `max_distance`.
  float ray_distance(float x, float y, float angle, float max_distance) const;
  // Number of free (walkable) cells.
  int free_cell_count() const;
  // Top-down map, `pixels_per_cell` per cell (1..64, UserError otherwise), with the path drawn and
  // the agent's last pose marked. Size: width*ppc x height*ppc; +y points up in the image.
  Image render_map(const std::vector<Pose>& path, int pixels_per_cell = 8) const;

 private:
  struct Impl;
  std::uint64_t seed_;
  WorldSettings settings_;
  std::vector<std::uint8_t> walls_;     // grid_width * grid_height, 1 = wall
  std::vector<std::int16_t> room_ids_;  // grid_width * grid_height, -1 = none
  // Level, textures and render tables; immutable and shared, so copies of a World are cheap.
  std::shared_ptr<const Impl> impl_;
  friend struct Impl;
};

}  // namespace dw::nav
