// Level generation: determinism, rooms, pillars, and the nearest-room labels used for corridor looks.
#include <catch2/catch.hpp>

#include <algorithm>

#include "nav/level.h"

using dw::nav::Level;

TEST_CASE("levels depend only on the seed", "[nav][level]") {
  const dw::nav::WorldSettings settings;
  const Level a = dw::nav::generate_level(5, settings), b = dw::nav::generate_level(5, settings);
  CHECK(a.cells == b.cells);
  CHECK(a.room_ids == b.room_ids);
  CHECK(dw::nav::generate_level(6, settings).cells != a.cells);
  CHECK(a.rooms.size() >= 3);
  CHECK(static_cast<int>(a.rooms.size()) <= settings.room_count);
}

TEST_CASE("every free cell has a nearest room; room cells are their own", "[nav][level]") {
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    const Level level = dw::nav::generate_level(seed, {});
    const auto nearest = dw::nav::nearest_rooms(level);
    int pillars = 0;
    for (size_t i = 0; i < level.cells.size(); ++i) {
      if (level.cells[i] == dw::nav::kPillar) ++pillars;
      if (level.cells[i] != dw::nav::kFree) continue;
      CHECK(nearest[i] >= 0);
      if (level.room_ids[i] >= 0) CHECK(nearest[i] == level.room_ids[i]);
    }
    const int x = level.rooms.front().x, y = level.rooms.front().y;
    CHECK(dw::nav::count_reachable(level, x, y) ==
          static_cast<int>(std::count(level.cells.begin(), level.cells.end(), dw::nav::kFree)));
    INFO("seed " << seed);
    CHECK(pillars <= 2 * static_cast<int>(level.rooms.size()));
  }
}

TEST_CASE("a tiny grid still gets a room", "[nav][level]") {
  dw::nav::WorldSettings settings;
  settings.grid_width = 8;
  settings.grid_height = 8;
  settings.room_count = 1;
  const Level level = dw::nav::generate_level(1, settings);
  REQUIRE(level.rooms.size() == 1);
  CHECK(level.is_solid(0, 0));
  CHECK(level.is_solid(-1, 3));
  CHECK_FALSE(level.is_solid(level.rooms[0].x, level.rooms[0].y));
}
