#include "nav/level.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <string>

#include "nav/random.h"
#include "nav/base/user_error.h"

namespace dw::nav {

namespace {

bool is_finite_positive(float value) { return std::isfinite(value) && value > 0.0f; }

void require(bool ok, const std::string& message) {
  if (!ok) throw UserError("world settings: " + message);
}

bool rooms_overlap(const RoomRect& a, const RoomRect& b) {
  // One wall cell must separate rooms, so rooms may not even touch.
  return a.x - 1 <= b.x + b.width && b.x - 1 <= a.x + a.width && a.y - 1 <= b.y + b.height &&
         b.y - 1 <= a.y + a.height;
}

void place_rooms(Level& level, const WorldSettings& settings, Rng& rng) {
  const int max_side = std::max(3, std::min(level.width, level.height) / 4 + 1);
  const int attempts = 200 * settings.room_count;
  for (int attempt = 0; attempt < attempts && static_cast<int>(level.rooms.size()) < settings.room_count;
       ++attempt) {
    RoomRect room;
    room.width = rng.uniform_int(3, max_side);
    room.height = rng.uniform_int(3, max_side);
    if (room.width > level.width - 2 || room.height > level.height - 2) continue;
    room.x = rng.uniform_int(1, level.width - 1 - room.width);
    room.y = rng.uniform_int(1, level.height - 1 - room.height);
    const bool clashes = std::any_of(level.rooms.begin(), level.rooms.end(),
                                     [&](const RoomRect& other) { return rooms_overlap(room, other); });
    if (!clashes) level.rooms.push_back(room);
  }
  if (level.rooms.empty()) {  // tiny grids: one room filling the interior
    level.rooms.push_back({1, 1, level.width - 2, level.height - 2});
  }
  for (size_t r = 0; r < level.rooms.size(); ++r) {
    const RoomRect& room = level.rooms[r];
    for (int y = room.y; y < room.y + room.height; ++y)
      for (int x = room.x; x < room.x + room.width; ++x) {
        level.cells[y * level.width + x] = kFree;
        level.room_ids[y * level.width + x] = static_cast<std::int16_t>(r);
      }
  }
}

void carve(Level& level, int x, int y) {
  if (x <= 0 || y <= 0 || x >= level.width - 1 || y >= level.height - 1) return;
  level.cells[y * level.width + x] = kFree;
}

// An L-shaped one-cell corridor between two room centres; which leg goes first is random.
void carve_corridor(Level& level, const RoomRect& a, const RoomRect& b, Rng& rng) {
  const int ax = a.x + a.width / 2, ay = a.y + a.height / 2;
  const int bx = b.x + b.width / 2, by = b.y + b.height / 2;
  const bool horizontal_first = rng.uniform_int(0, 1) == 0;
  const int leg_y = horizontal_first ? ay : by;  // row of the horizontal leg
  const int leg_x = horizontal_first ? bx : ax;  // column of the vertical leg
  for (int x = std::min(ax, bx); x <= std::max(ax, bx); ++x) carve(level, x, leg_y);
  for (int y = std::min(ay, by); y <= std::max(ay, by); ++y) carve(level, leg_x, y);
}

int centre_distance(const RoomRect& a, const RoomRect& b) {
  return std::abs((a.x * 2 + a.width) - (b.x * 2 + b.width)) +
         std::abs((a.y * 2 + a.height) - (b.y * 2 + b.height));
}

void connect_rooms(Level& level, Rng& rng) {
  const auto& rooms = level.rooms;
  // A spanning tree: each room joins its nearest predecessor...
  for (size_t i = 1; i < rooms.size(); ++i) {
    size_t best = 0;
    for (size_t j = 1; j < i; ++j)
      if (centre_distance(rooms[i], rooms[j]) < centre_distance(rooms[i], rooms[best])) best = j;
    carve_corridor(level, rooms[i], rooms[best], rng);
  }
  // ...plus a few extra corridors so the level has loops, not just dead ends.
  const int extra = static_cast<int>(rooms.size()) / 3;
  for (int k = 0; k < extra && rooms.size() > 2; ++k) {
    const int a = rng.uniform_int(0, static_cast<int>(rooms.size()) - 1);
    const int b = rng.uniform_int(0, static_cast<int>(rooms.size()) - 1);
    if (a != b) carve_corridor(level, rooms[a], rooms[b], rng);
  }
}

bool neighbourhood_is_free(const Level& level, int x, int y) {
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx)
      if (level.is_solid(x + dx, y + dy)) return false;
  return true;
}

// Pillars sit strictly inside rooms with a free ring around them, so they never cut a path.
void place_pillars(Level& level, Rng& rng) {
  for (const RoomRect& room : level.rooms) {
    if (room.width < 4 || room.height < 4) continue;
    const int count = rng.uniform_int(1, 2);
    for (int k = 0; k < count; ++k) {
      const int x = rng.uniform_int(room.x + 1, room.x + room.width - 2);
      const int y = rng.uniform_int(room.y + 1, room.y + room.height - 2);
      if (neighbourhood_is_free(level, x, y)) level.cells[y * level.width + x] = kPillar;
    }
  }
}

std::vector<std::uint8_t> flood_fill(const Level& level, int start_x, int start_y) {
  std::vector<std::uint8_t> seen(level.cells.size(), 0);
  if (level.is_solid(start_x, start_y)) return seen;
  std::deque<int> queue{start_y * level.width + start_x};
  seen[queue.front()] = 1;
  const int steps[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
  while (!queue.empty()) {
    const int index = queue.front();
    queue.pop_front();
    const int x = index % level.width, y = index / level.width;
    for (const auto& step : steps) {
      const int nx = x + step[0], ny = y + step[1];
      if (level.is_solid(nx, ny) || seen[ny * level.width + nx]) continue;
      seen[ny * level.width + nx] = 1;
      queue.push_back(ny * level.width + nx);
    }
  }
  return seen;
}

// Carves the shortest path (through anything but the border) from `from` to the nearest reached cell.
void carve_to_reached(Level& level, int from, const std::vector<std::uint8_t>& reached) {
  std::vector<int> parent(level.cells.size(), -1);
  std::deque<int> queue{from};
  parent[from] = from;
  const int steps[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
  while (!queue.empty()) {
    const int index = queue.front();
    queue.pop_front();
    if (reached[index]) {
      for (int at = index; at != from; at = parent[at]) carve(level, at % level.width, at / level.width);
      return;
    }
    const int x = index % level.width, y = index / level.width;
    for (const auto& step : steps) {
      const int nx = x + step[0], ny = y + step[1];
      if (nx <= 0 || ny <= 0 || nx >= level.width - 1 || ny >= level.height - 1) continue;
      if (parent[ny * level.width + nx] != -1) continue;
      parent[ny * level.width + nx] = index;
      queue.push_back(ny * level.width + nx);
    }
  }
}

void repair_connectivity(Level& level) {
  const RoomRect& first = level.rooms.front();
  for (;;) {
    const auto reached = flood_fill(level, first.x, first.y);
    int unreached = -1;
    for (size_t i = 0; i < level.cells.size() && unreached < 0; ++i)
      if (level.cells[i] == kFree && !reached[i]) unreached = static_cast<int>(i);
    if (unreached < 0) return;
    carve_to_reached(level, unreached, reached);
  }
}

}  // namespace

void validate_settings(const WorldSettings& settings) {
  require(settings.grid_width >= 8 && settings.grid_width <= 256,
          "grid_width must be 8..256, got " + std::to_string(settings.grid_width));
  require(settings.grid_height >= 8 && settings.grid_height <= 256,
          "grid_height must be 8..256, got " + std::to_string(settings.grid_height));
  require(settings.room_count >= 1 && settings.room_count <= 64,
          "room_count must be 1..64, got " + std::to_string(settings.room_count));
  require(is_finite_positive(settings.agent_radius) && settings.agent_radius <= 0.45f,
          "agent_radius must be in (0, 0.45] cells");
  require(std::isfinite(settings.field_of_view) && settings.field_of_view >= 0.3f &&
              settings.field_of_view <= 2.5f,
          "field_of_view must be 0.3..2.5 radians");
  const ActionLimits& limits = settings.limits;
  require(is_finite_positive(limits.max_forward) && limits.max_forward <= 1.0f &&
              is_finite_positive(limits.max_strafe) && limits.max_strafe <= 1.0f,
          "max_forward and max_strafe must be in (0, 1] cells per step");
  require(is_finite_positive(limits.max_turn) && limits.max_turn <= 3.2f,
          "max_turn must be in (0, 3.2] radians per step");
}

Level generate_level(std::uint64_t seed, const WorldSettings& settings) {
  validate_settings(settings);
  Level level;
  level.width = settings.grid_width;
  level.height = settings.grid_height;
  level.cells.assign(static_cast<size_t>(level.width) * level.height, kWall);
  level.room_ids.assign(level.cells.size(), -1);
  Rng rng(mix_seed(seed, 1));
  place_rooms(level, settings, rng);
  connect_rooms(level, rng);
  place_pillars(level, rng);
  repair_connectivity(level);
  return level;
}

std::vector<std::int16_t> nearest_rooms(const Level& level) {
  // Multi-source breadth-first search from every room cell, in cell order (deterministic ties).
  std::vector<std::int16_t> nearest(level.cells.size(), -1);
  std::deque<int> queue;
  for (size_t i = 0; i < level.cells.size(); ++i) {
    if (level.cells[i] == kFree && level.room_ids[i] >= 0) {
      nearest[i] = level.room_ids[i];
      queue.push_back(static_cast<int>(i));
    }
  }
  const int steps[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
  while (!queue.empty()) {
    const int index = queue.front();
    queue.pop_front();
    const int x = index % level.width, y = index / level.width;
    for (const auto& step : steps) {
      const int nx = x + step[0], ny = y + step[1];
      if (level.is_solid(nx, ny) || nearest[ny * level.width + nx] >= 0) continue;
      nearest[ny * level.width + nx] = nearest[index];
      queue.push_back(ny * level.width + nx);
    }
  }
  return nearest;
}

int count_reachable(const Level& level, int start_x, int start_y) {
  const auto seen = flood_fill(level, start_x, start_y);
  int count = 0;
  for (auto value : seen) count += value;
  return count;
}

}  // namespace dw::nav
