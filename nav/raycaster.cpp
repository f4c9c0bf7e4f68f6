#include "nav/raycaster.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include "nav/portable_math.h"

namespace dw::nav {

namespace {

constexpr int kSupersample = 2;
constexpr std::uint32_t kFogRgb = pack_rgb(kFogColour[0], kFogColour[1], kFogColour[2]);
constexpr float kSideShade = 0.78f;    // walls facing +-y are darker, so corners read

// Colour weight (0..256) at a distance; a rational curve, so no libm call can differ by a bit.
std::uint32_t fog_weight(float distance) {
  return static_cast<std::uint32_t>(256.0f / (1.0f + kFogDensity * distance * distance));
}

// Blends texel c toward the fog: (c * s + fog * (256 - fog_s)) / 256, two channels per multiply.
struct Shade {
  std::uint32_t scale = 256, fog_rb = 0, fog_g = 0;
  Shade() = default;
  Shade(std::uint32_t fog_s, std::uint32_t s) : scale(s) {
    fog_rb = (kFogRgb & 0xFF00FFu) * (256 - fog_s);
    fog_g = (kFogRgb & 0x00FF00u) * (256 - fog_s);
  }
  std::uint32_t apply(std::uint32_t c) const {
    const std::uint32_t rb = (((c & 0xFF00FFu) * scale + fog_rb) >> 8) & 0xFF00FFu;
    const std::uint32_t g = (((c & 0x00FF00u) * scale + fog_g) >> 8) & 0x00FF00u;
    return rb | g;
  }
};

// The same blend for two packed texels at once (each 8-bit channel has a 16-bit lane to grow in).
struct PairShade {
  std::uint64_t scale = 256, fog_rb = 0, fog_g = 0;
  PairShade() = default;
  explicit PairShade(const Shade& one) : scale(one.scale) {
    fog_rb = one.fog_rb | (std::uint64_t{one.fog_rb} << 32);
    fog_g = one.fog_g | (std::uint64_t{one.fog_g} << 32);
  }
  std::uint64_t apply(std::uint64_t c) const {
    constexpr std::uint64_t kRb = 0x00FF00FF00FF00FFull, kG = 0x0000FF000000FF00ull;
    return ((((c & kRb) * scale + fog_rb) >> 8) & kRb) | ((((c & kG) * scale + fog_g) >> 8) & kG);
  }
};

struct WallHit {
  float distance = 0;  // perpendicular to the camera plane (no fisheye)
  float along = 0;     // where along the wall face the ray hit, [0, 1)
  int side = 0;        // 0: face normal along x, 1: along y
  bool is_pillar = false;
  int look = 0;        // look of the free cell the ray came from
  bool mirrored = false;  // seen from the side where `along` runs right-to-left on screen
};

// Grid DDA from (px, py) along (rx, ry); the level border is solid, so it always terminates.
WallHit cast(const Scene& scene, float px, float py, float rx, float ry) {
  const Level& level = scene.level;
  int cx = static_cast<int>(px), cy = static_cast<int>(py);
  const float delta_x = rx != 0.0f ? std::fabs(1.0f / rx) : 1e30f;
  const float delta_y = ry != 0.0f ? std::fabs(1.0f / ry) : 1e30f;
  const int step_x = rx < 0 ? -1 : 1, step_y = ry < 0 ? -1 : 1;
  float side_x = rx < 0 ? (px - cx) * delta_x : (cx + 1.0f - px) * delta_x;
  float side_y = ry < 0 ? (py - cy) * delta_y : (cy + 1.0f - py) * delta_y;
  WallHit hit;
  hit.look = scene.cell_look[cy * level.width + cx];
  for (;;) {
    if (side_x < side_y) {
      side_x += delta_x;
      cx += step_x;
      hit.side = 0;
    } else {
      side_y += delta_y;
      cy += step_y;
      hit.side = 1;
    }
    if (level.is_solid(cx, cy)) break;
    hit.look = scene.cell_look[cy * level.width + cx];
  }
  hit.is_pillar = level.in_bounds(cx, cy) && level.cells[cy * level.width + cx] == kPillar;
  hit.distance = std::max(1e-4f, hit.side == 0 ? side_x - delta_x : side_y - delta_y);
  const float where = hit.side == 0 ? py + hit.distance * ry : px + hit.distance * rx;
  hit.along = where - std::floor(where);
  hit.mirrored = hit.side == 0 ? rx > 0 : ry < 0;
  return hit;
}

// Per-size tables shared by every column: distance and shade of each floor row.
struct RowTables {
  std::vector<float> distance;  // by offset j from the horizon (row centre at j + 0.5)
  std::vector<PairShade> shade;
};

void fill_row_tables(RowTables& rows, int half, float focal) {
  rows.distance.resize(half);
  rows.shade.resize(half);
  for (int j = 0; j < half; ++j) {
    const float distance = 0.5f * focal / (static_cast<float>(j) + 0.5f);
    rows.distance[j] = distance;
    const std::uint32_t fog = fog_weight(distance);
    rows.shade[j] = PairShade(Shade(fog, fog));
  }
}

// Draws the wall slice of one column; returns the number of rows covered on each side of the horizon.
int draw_wall(std::uint32_t* column, int n, float focal, const WallHit& hit, const RoomLook& look) {
  const int half = n / 2;
  const float line = focal / hit.distance;
  const int covered = std::min(half, static_cast<int>(line * 0.5f + 0.5f));
  int u = static_cast<int>(hit.along * kTextureSize) & kTextureMask;
  if (hit.mirrored) u = kTextureMask - u;  // textures read left-to-right from every side
  const std::uint32_t* texels = (hit.is_pillar ? look.pillar : look.wall).texels.data() + u * kTextureSize;
  const std::uint32_t fog = fog_weight(hit.distance);
  const Shade shade(fog, hit.side == 1 ? static_cast<std::uint32_t>(fog * kSideShade) : fog);
  // Texture v in 16.16 fixed point, sampled at each row centre.
  const float v_per_row = kTextureSize / line;
  const float first_row = static_cast<float>(half - covered) + 0.5f;
  const float v0 = (first_row - (static_cast<float>(half) - 0.5f * line)) * v_per_row;
  std::uint32_t v = static_cast<std::uint32_t>(std::max(0.0f, v0) * 65536.0f);
  const std::uint32_t dv = static_cast<std::uint32_t>(v_per_row * 65536.0f);
  for (int y = half - covered; y < half + covered; ++y, v += dv) {
    column[y] = shade.apply(texels[(v >> 16) & kTextureMask]);
  }
  return covered;
}

// Floor below and ceiling above the wall slice: same world point, mirrored rows. kClamp guards
// the texel lookups; the caller drops it when both ends of the column's floor span are on the
// grid (u and v are monotonic in the row distance, so then every row is).
template <bool kClamp>
void floor_span(std::uint32_t* column, int n, int first, const Scene& scene, const RowTables& rows,
                float px, float py, float rx, float ry) {
  const int half = n / 2;
  const int width = scene.level.width;
  const int max_u = scene.level.width * kTextureSize - 1;
  const int max_v = scene.level.height * kTextureSize - 1;
  const RoomLook* looks = scene.looks.data();
  const std::uint8_t* cell_look = scene.cell_look.data();
  for (int j = first; j < half; ++j) {
    const float distance = rows.distance[j];
    int u = static_cast<int>((px + distance * rx) * kTextureSize);
    int v = static_cast<int>((py + distance * ry) * kTextureSize);
    if (kClamp) {
      u = std::clamp(u, 0, max_u);
      v = std::clamp(v, 0, max_v);
    }
    const RoomLook& look = looks[cell_look[(v >> kTextureBits) * width + (u >> kTextureBits)]];
    const int texel = (v & kTextureMask) * kTextureSize + (u & kTextureMask);
    const std::uint64_t shaded = rows.shade[j].apply(look.floor_ceiling[texel]);
    column[half + j] = static_cast<std::uint32_t>(shaded);
    column[half - 1 - j] = static_cast<std::uint32_t>(shaded >> 32);
  }
}

void draw_floor_and_ceiling(std::uint32_t* column, int n, int covered, const Scene& scene,
                            const RowTables& rows, float px, float py, float rx, float ry) {
  const int half = n / 2;
  if (covered >= half) return;
  auto on_grid = [&](int j) {
    const float x = (px + rows.distance[j] * rx) * kTextureSize;
    const float y = (py + rows.distance[j] * ry) * kTextureSize;
    return x >= 0.0f && y >= 0.0f && static_cast<int>(x) < scene.level.width * kTextureSize &&
           static_cast<int>(y) < scene.level.height * kTextureSize;
  };
  if (on_grid(covered) && on_grid(half - 1)) {
    floor_span<false>(column, n, covered, scene, rows, px, py, rx, ry);
  } else {
    floor_span<true>(column, n, covered, scene, rows, px, py, rx, ry);
  }
}

// 2x2 box filter from the column-major supersampled buffer into the row-major RGB image.
void downsample(const std::uint32_t* buffer, int n, Image& out) {
  const int size = n / kSupersample;
  for (int x = 0; x < size; ++x) {
    const std::uint32_t* left = buffer + static_cast<size_t>(2 * x) * n;
    const std::uint32_t* right = left + n;
    for (int y = 0; y < size; ++y) {
      const std::uint32_t a = left[2 * y], b = left[2 * y + 1], c = right[2 * y], d = right[2 * y + 1];
      const std::uint32_t rb = ((a & 0xFF00FFu) + (b & 0xFF00FFu) + (c & 0xFF00FFu) + (d & 0xFF00FFu) +
                                0x020002u) >> 2;
      const std::uint32_t g = ((a & 0xFF00u) + (b & 0xFF00u) + (c & 0xFF00u) + (d & 0xFF00u) + 0x200u) >> 2;
      std::uint8_t* pixel = out.at(x, y);
      pixel[0] = static_cast<std::uint8_t>(rb >> 16);
      pixel[1] = static_cast<std::uint8_t>(g >> 8);
      pixel[2] = static_cast<std::uint8_t>(rb);
    }
  }
}

}  // namespace

Scene build_scene(std::uint64_t seed, const WorldSettings& settings) {
  Scene scene;
  scene.level = generate_level(seed, settings);
  const int room_count = static_cast<int>(scene.level.rooms.size());
  scene.looks = make_room_looks(seed, room_count);
  const std::vector<std::int16_t> nearest = nearest_rooms(scene.level);
  scene.cell_look.resize(scene.level.cells.size());
  for (size_t i = 0; i < scene.cell_look.size(); ++i) {
    const int room = scene.level.room_ids[i];
    // Walls never show their own look; any valid index will do for them.
    const int corridor_look = room_count + std::max(0, static_cast<int>(nearest[i]));
    scene.cell_look[i] = static_cast<std::uint8_t>(room >= 0 ? room : corridor_look);
  }
  return scene;
}

void render_first_person(const Scene& scene, const Pose& pose, float field_of_view, int size,
                         Image& out) {
  assert(size >= 32 && size <= 512);
  const int n = size * kSupersample;
  // Scratch space reused across frames on this thread: no allocation per frame in steady state.
  thread_local std::vector<std::uint32_t> buffer;
  thread_local RowTables rows;
  buffer.resize(static_cast<size_t>(n) * n);
  double half_sin, half_cos, yaw_sin, yaw_cos;
  portable_sin_cos(0.5 * static_cast<double>(field_of_view), half_sin, half_cos);
  portable_sin_cos(static_cast<double>(pose.yaw), yaw_sin, yaw_cos);
  const float plane_scale = static_cast<float>(half_sin / half_cos);
  const float focal = 0.5f * static_cast<float>(n) / plane_scale;
  fill_row_tables(rows, n / 2, focal);
  // Trig once per frame (portable, see nav/portable_math.h), then plain float math.
  const float dir_x = static_cast<float>(yaw_cos);
  const float dir_y = static_cast<float>(yaw_sin);
  const float right_x = dir_y * plane_scale, right_y = -dir_x * plane_scale;
  for (int c = 0; c < n; ++c) {
    const float camera = 2.0f * (static_cast<float>(c) + 0.5f) / static_cast<float>(n) - 1.0f;
    const float rx = dir_x + right_x * camera, ry = dir_y + right_y * camera;
    const WallHit hit = cast(scene, pose.x, pose.y, rx, ry);
    std::uint32_t* column = buffer.data() + static_cast<size_t>(c) * n;
    const int covered = draw_wall(column, n, focal, hit, scene.looks[hit.look]);
    draw_floor_and_ceiling(column, n, covered, scene, rows, pose.x, pose.y, rx, ry);
  }
  if (out.width != size || out.height != size) out = Image(size, size);
  downsample(buffer.data(), n, out);
}

float ray_distance(const Level& level, float x, float y, float dx, float dy, float max_distance) {
  int cx = static_cast<int>(std::floor(x)), cy = static_cast<int>(std::floor(y));
  if (level.is_solid(cx, cy)) return 0.0f;
  const float delta_x = dx != 0.0f ? std::fabs(1.0f / dx) : 1e30f;
  const float delta_y = dy != 0.0f ? std::fabs(1.0f / dy) : 1e30f;
  const int step_x = dx < 0 ? -1 : 1, step_y = dy < 0 ? -1 : 1;
  float side_x = dx < 0 ? (x - cx) * delta_x : (cx + 1.0f - x) * delta_x;
  float side_y = dy < 0 ? (y - cy) * delta_y : (cy + 1.0f - y) * delta_y;
  for (;;) {
    float travelled;
    if (side_x < side_y) {
      travelled = side_x;
      side_x += delta_x;
      cx += step_x;
    } else {
      travelled = side_y;
      side_y += delta_y;
      cy += step_y;
    }
    if (travelled >= max_distance) return max_distance;
    if (level.is_solid(cx, cy)) return travelled;
  }
}

}  // namespace dw::nav
