// Procedural level layout: rooms joined by corridors on a grid, a few pillars inside rooms, and a
// connectivity repair pass so that every free cell is reachable from every other (4-connected).
// Pure data, no rendering; World owns one Level.
#pragma once

#include <cstdint>
#include <vector>

#include "nav/world.h"

namespace dw::nav {

enum CellKind : std::uint8_t { kFree = 0, kWall = 1, kPillar = 2 };

struct RoomRect {
  int x = 0, y = 0, width = 0, height = 0;  // cells, interior (all free)
};

struct Level {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> cells;      // CellKind per cell, row-major (y * width + x)
  std::vector<std::int16_t> room_ids;   // room index per cell, -1 for corridors and walls
  std::vector<RoomRect> rooms;

  bool in_bounds(int x, int y) const { return x >= 0 && y >= 0 && x < width && y < height; }
  // Out of bounds counts as solid, so rays and discs never leave the grid.
  bool is_solid(int x, int y) const { return !in_bounds(x, y) || cells[y * width + x] != kFree; }
};

// Throws UserError when the settings cannot describe a world (sizes, radius, limits out of range).
void validate_settings(const WorldSettings& settings);
Level generate_level(std::uint64_t seed, const WorldSettings& settings);
// For every free cell, the room it is nearest to (walking through free cells); -1 for walls.
std::vector<std::int16_t> nearest_rooms(const Level& level);
// Number of free cells reachable from (start_x, start_y) by 4-connected steps through free cells.
int count_reachable(const Level& level, int start_x, int start_y);

}  // namespace dw::nav
