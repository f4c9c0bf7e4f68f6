// The ground-truth world: a procedural grid level of rooms and corridors generated from a seed,
// agent kinematics with wall sliding, and a CPU renderer for the egocentric view and a top-down map.
// Same seed + same actions => bit-identical frames.
#pragma once

#include <cstdint>
#include <vector>

#include "nav/image.h"
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
  // Applies one action: turn, then move with collision that slides along walls.
  Pose step(const Pose& pose, const Action& action) const;
  // True when a disc of agent_radius at (x, y) touches no wall.
  bool is_free(float x, float y) const;

  // Egocentric RGB view, size x size pixels, 32..512 (throws UserError otherwise). Supersampled.
  Image render_view(const Pose& pose, int size) const;
  // Top-down map, `pixels_per_cell` per cell, with the path drawn and the agent's last pose marked.
  Image render_map(const std::vector<Pose>& path, int pixels_per_cell = 8) const;

 private:
  struct Impl;
  std::uint64_t seed_;
  WorldSettings settings_;
  std::vector<std::uint8_t> walls_;     // grid_width * grid_height, 1 = wall
  std::vector<std::int16_t> room_ids_;  // grid_width * grid_height, -1 = none
  // Further private data (textures, objects) is up to the implementation.
  friend struct Impl;
};

}  // namespace dw::nav
