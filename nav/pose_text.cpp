#include "nav/pose_text.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "nav/base/user_error.h"

namespace dw::nav {

namespace {

// strtof on one comma-separated field; the whole field must be a number.
bool parse_float(const std::string& field, float& value) {
  if (field.empty() || std::isspace(static_cast<unsigned char>(field.front()))) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtof(field.c_str(), &end);
  return errno == 0 && end == field.c_str() + field.size() && std::isfinite(value);
}

}  // namespace

Pose parse_pose(const std::string& text, const std::string& flag) {
  std::vector<std::string> fields(1);
  for (char c : text) {
    if (c == ',') fields.emplace_back();
    else fields.back() += c;
  }
  float values[3] = {0, 0, 0};
  bool ok = fields.size() == 3;
  for (size_t i = 0; ok && i < 3; ++i) ok = parse_float(fields[i], values[i]);
  if (!ok) {
    throw UserError(flag + " '" + text + "': expected X,Y,YAW as three finite numbers (e.g. 3.5,4.5,0.0)");
  }
  return {values[0], values[1], values[2]};
}

std::string format_pose(const Pose& pose) {
  char text[96];
  std::snprintf(text, sizeof text, "%.3f,%.3f,%.3f", pose.x, pose.y, pose.yaw);
  return text;
}

namespace {

// The centre of the free cell nearest to (x, y), so the error can offer a pose that works.
std::optional<Pose> nearest_free_cell(const World& world, float x, float y) {
  std::optional<Pose> best;
  float best_distance = 0.0f;
  for (int cy = 0; cy < world.height(); ++cy) {
    for (int cx = 0; cx < world.width(); ++cx) {
      const float px = static_cast<float>(cx) + 0.5f, py = static_cast<float>(cy) + 0.5f;
      if (!world.is_free(px, py)) continue;
      const float distance = (px - x) * (px - x) + (py - y) * (py - y);
      if (!best || distance < best_distance) {
        best = Pose{px, py, 0.0f};
        best_distance = distance;
      }
    }
  }
  return best;
}

}  // namespace

void require_free_pose(const World& world, const Pose& pose, const std::string& flag) {
  if (world.is_free(pose.x, pose.y)) return;
  std::string hint = "; `--map FILE` draws the free cells";
  if (std::optional<Pose> free = nearest_free_cell(world, pose.x, pose.y)) {
    free->yaw = pose.yaw;
    hint = "; the nearest free cell is at " + format_pose(*free) + hint;
  }
  throw UserError(flag + " " + format_pose(pose) + ": the agent cannot stand there in world " +
                  std::to_string(world.seed()) + " (inside or within " +
                  std::to_string(world.settings().agent_radius).substr(0, 4) + " cells of a wall, or off the " +
                  std::to_string(world.width()) + "x" + std::to_string(world.height()) + " grid)" + hint);
}

}  // namespace dw::nav
