#include "model/plan_world.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "model/revisit.h"

namespace dw::model {

namespace {

constexpr double kTwoPi = 6.283185307179586;

// The pose at fractional index `at` of `path` (linear between neighbours; yaw is not needed).
std::pair<double, double> position_at(const std::vector<nav::Pose>& path, double at) {
  const auto last = static_cast<double>(path.size() - 1);
  at = std::clamp(at, 0.0, last);
  const auto i = static_cast<size_t>(std::floor(at));
  const size_t j = std::min(i + 1, path.size() - 1);
  const double f = at - static_cast<double>(i);
  return {path[i].x + f * (path[j].x - path[i].x), path[i].y + f * (path[j].y - path[i].y)};
}

}  // namespace

float position_error(const nav::Pose& a, const nav::Pose& b) { return std::hypot(a.x - b.x, a.y - b.y); }

float heading_error(const nav::Pose& a, const nav::Pose& b) {
  const double d = std::fmod(std::fabs(static_cast<double>(a.yaw) - b.yaw), kTwoPi);
  return static_cast<float>(std::min(d, kTwoPi - d));
}

bool is_within(const nav::Pose& pose, const nav::Pose& goal, const GoalTolerance& tolerance) {
  return position_error(pose, goal) <= tolerance.position && heading_error(pose, goal) <= tolerance.heading;
}

PathErrors path_errors(const std::vector<nav::Pose>& executed, const std::vector<nav::Pose>& recorded) {
  assert(!executed.empty() && !recorded.empty());
  const size_t points = recorded.size();
  // Index i of the recorded path corresponds to this fractional index of the executed one.
  const double scale = points > 1 ? static_cast<double>(executed.size() - 1) / static_cast<double>(points - 1) : 0.0;
  std::vector<std::pair<double, double>> resampled;
  for (size_t i = 0; i < points; ++i) resampled.push_back(position_at(executed, scale * static_cast<double>(i)));
  double squared = 0.0, relative = 0.0;
  for (size_t i = 0; i < points; ++i) {
    squared += std::pow(resampled[i].first - recorded[i].x, 2) + std::pow(resampled[i].second - recorded[i].y, 2);
    if (i == 0) continue;
    const double ex = resampled[i].first - resampled[i - 1].first, ey = resampled[i].second - resampled[i - 1].second;
    const double rx = recorded[i].x - recorded[i - 1].x, ry = recorded[i].y - recorded[i - 1].y;
    relative += std::pow(ex - rx, 2) + std::pow(ey - ry, 2);
  }
  PathErrors errors;
  errors.ate = std::sqrt(squared / static_cast<double>(points));
  errors.rpe = points > 1 ? std::sqrt(relative / static_cast<double>(points - 1)) : 0.0;
  return errors;
}

WorldEnvironment::WorldEnvironment(nav::World world, nav::Pose start, int width, int height,
                                   std::optional<nav::Pose> goal, GoalTolerance tolerance)
    : world_(std::move(world)), pose_(start), width_(width), height_(height), goal_(goal), tolerance_(tolerance) {}

Image WorldEnvironment::view() const { return world_view(world_, pose_, width_, height_); }

void WorldEnvironment::act(const std::vector<float>& action) {
  assert(action.size() == 3);
  pose_ = world_.step(pose_, {action[0], action[1], action[2]});
}

}  // namespace dw::model
