// The first-person CPU renderer: a grid DDA raycaster with textured walls, per-pixel floor and
// ceiling casting and distance fog, rendered at 2x and box-filtered down so small frames do not
// shimmer. Plain float math and integer texel lookups only: output is bit-identical run to run.
#pragma once

#include <cstdint>
#include <vector>

#include "nav/base/image.h"
#include "nav/level.h"
#include "nav/pose.h"
#include "nav/texture.h"

namespace dw::nav {

// The renderer's distance fog, for code that reads its frames back (model/start_room.h): a colour
// c on a surface at perpendicular distance d is drawn as c * k + kFogColour * (1 - k), with
// k = 1 / (1 + kFogDensity * d * d).
inline constexpr int kFogColour[3] = {10, 10, 18};
inline constexpr float kFogDensity = 0.045f;

// Everything the renderer reads, built once per World.
struct Scene {
  Level level;
  std::vector<RoomLook> looks;           // rooms, then corridors (see make_room_looks)
  std::vector<std::uint8_t> cell_look;   // look index per cell (walls get any valid index)
};

Scene build_scene(std::uint64_t seed, const WorldSettings& settings);

// Renders into `out` (resized to size x size); `size` must already be validated (32..512).
void render_first_person(const Scene& scene, const Pose& pose, float field_of_view, int size,
                         Image& out);

// Distance from (x, y) along the unit direction (dx, dy) to the first solid cell, capped at max.
float ray_distance(const Level& level, float x, float y, float dx, float dy, float max_distance);

}  // namespace dw::nav
