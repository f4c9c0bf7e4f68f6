#include "nav/world.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

#include "nav/random.h"
#include "nav/portable_math.h"
#include "nav/raycaster.h"
#include "nav/base/user_error.h"
#include "nav/world_impl.h"

namespace dw::nav {

namespace {

constexpr float kPi = 3.14159265358979323846f;
constexpr float kMaxSubstep = 0.1f;  // cells; well under agent_radius, so no tunnelling
constexpr int kSlideIterations = 12;

}  // namespace

World::World(std::uint64_t seed, WorldSettings settings)
    : seed_(seed), settings_(settings) {
  auto impl = std::make_shared<Impl>();
  impl->scene = build_scene(seed, settings_);
  const Level& level = impl->scene.level;
  walls_.resize(level.cells.size());
  for (size_t i = 0; i < walls_.size(); ++i) walls_[i] = level.cells[i] != kFree ? 1 : 0;
  room_ids_ = level.room_ids;
  impl_ = std::move(impl);
}

bool World::is_wall(int cell_x, int cell_y) const {
  if (cell_x < 0 || cell_y < 0 || cell_x >= width() || cell_y >= height()) return true;
  return walls_[static_cast<size_t>(cell_y) * width() + cell_x] != 0;
}

int World::room_at(int cell_x, int cell_y) const {
  if (cell_x < 0 || cell_y < 0 || cell_x >= width() || cell_y >= height()) return -1;
  return room_ids_[static_cast<size_t>(cell_y) * width() + cell_x];
}

bool World::is_free(float x, float y) const {
  if (!std::isfinite(x) || !std::isfinite(y)) return false;
  const float r = settings_.agent_radius;
  const int x0 = static_cast<int>(std::floor(x - r)), x1 = static_cast<int>(std::floor(x + r));
  const int y0 = static_cast<int>(std::floor(y - r)), y1 = static_cast<int>(std::floor(y + r));
  for (int cy = y0; cy <= y1; ++cy) {
    for (int cx = x0; cx <= x1; ++cx) {
      if (!is_wall(cx, cy)) continue;
      const float nearest_x = std::clamp(x, static_cast<float>(cx), static_cast<float>(cx + 1));
      const float nearest_y = std::clamp(y, static_cast<float>(cy), static_cast<float>(cy + 1));
      const float ex = x - nearest_x, ey = y - nearest_y;
      if (ex * ex + ey * ey < r * r) return false;
    }
  }
  return true;
}

Pose World::spawn_pose(std::uint64_t seed) const {
  Rng rng(mix_seed(seed_ ^ mix_seed(seed, 3), 4));
  std::vector<int> candidates;
  for (int y = 0; y < height(); ++y)
    for (int x = 0; x < width(); ++x)
      if (room_at(x, y) >= 0 && !is_wall(x, y) && is_free(x + 0.5f, y + 0.5f))
        candidates.push_back(y * width() + x);
  assert(!candidates.empty());  // generate_level always leaves at least one room
  const int cell = candidates[rng.uniform_int(0, static_cast<int>(candidates.size()) - 1)];
  Pose pose;
  pose.x = static_cast<float>(cell % width()) + 0.5f;
  pose.y = static_cast<float>(cell / width()) + 0.5f;
  pose.yaw = rng.uniform(-kPi, kPi);
  return pose;
}

// Moves along one axis; when the full move collides, keeps the largest free fraction (found by
// bisection). Moving the axes separately is what makes the agent slide along walls.
static float move_axis(const World& world, float x, float y, float delta, bool along_x) {
  auto free_at = [&](float t) {
    return along_x ? world.is_free(x + delta * t, y) : world.is_free(x, y + delta * t);
  };
  if (free_at(1.0f)) return delta;
  float lo = 0.0f, hi = 1.0f;
  for (int i = 0; i < kSlideIterations; ++i) {
    const float mid = 0.5f * (lo + hi);
    (free_at(mid) ? lo : hi) = mid;
  }
  return delta * lo;
}

Pose World::step(const Pose& pose, const Action& action) const {
  assert(std::isfinite(action.forward) && std::isfinite(action.strafe) && std::isfinite(action.turn));
  assert(std::isfinite(pose.x) && std::isfinite(pose.y) && std::isfinite(pose.yaw));
  const Motion motion = intended_motion(pose, action, settings_.limits);
  Pose next = pose;
  next.yaw = motion.yaw;
  const float dx = motion.dx, dy = motion.dy;
  const int substeps = std::max(1, static_cast<int>(std::ceil(std::max(std::fabs(dx), std::fabs(dy)) / kMaxSubstep)));
  const float sx = dx / static_cast<float>(substeps), sy = dy / static_cast<float>(substeps);
  for (int i = 0; i < substeps; ++i) {
    next.x += move_axis(*this, next.x, next.y, sx, true);
    next.y += move_axis(*this, next.x, next.y, sy, false);
  }
  return next;
}

Image World::render_view(const Pose& pose, int size) const {
  Image out;
  render_view_into(pose, size, out);
  return out;
}

void World::render_view_into(const Pose& pose, int size, Image& out) const {
  if (size < 32 || size > 512) {
    throw UserError("frame size must be 32..512 pixels, got " + std::to_string(size));
  }
  assert(std::isfinite(pose.x) && std::isfinite(pose.y) && std::isfinite(pose.yaw));
  // The camera must stand in a free cell; a pose inside a wall is a caller bug.
  assert(!is_wall(static_cast<int>(std::floor(pose.x)), static_cast<int>(std::floor(pose.y))));
  render_first_person(impl_->scene, pose, settings_.field_of_view, size, out);
}

float World::ray_distance(float x, float y, float angle, float max_distance) const {
  const float dx = portable_cos(angle);
  const float dy = portable_sin(angle);
  return nav::ray_distance(impl_->scene.level, x, y, dx, dy, max_distance);
}

int World::free_cell_count() const {
  return static_cast<int>(std::count(walls_.begin(), walls_.end(), std::uint8_t{0}));
}

}  // namespace dw::nav
