// World::render_map: the top-down view (walls, room colours, the path, the agent and its heading).
#include <algorithm>
#include <cmath>
#include <string>

#include "nav/base/user_error.h"
#include "nav/portable_math.h"
#include "nav/world.h"
#include "nav/world_impl.h"

namespace dw::nav {

namespace {

struct Rgb8 {
  std::uint8_t r, g, b;
};

constexpr Rgb8 kWallColour{34, 34, 42};
constexpr Rgb8 kPathColour{220, 40, 40};
constexpr Rgb8 kStartColour{40, 200, 60};
constexpr Rgb8 kAgentColour{255, 255, 255};
constexpr Rgb8 kHeadingColour{20, 20, 20};

Rgb8 unpack(std::uint32_t packed, float scale = 1.0f) {
  auto channel = [&](int shift) {
    return static_cast<std::uint8_t>(std::min(255.0f, static_cast<float>((packed >> shift) & 0xFF) * scale));
  };
  return {channel(16), channel(8), channel(0)};
}

void put(Image& image, int x, int y, Rgb8 colour) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  std::uint8_t* pixel = image.at(x, y);
  pixel[0] = colour.r;
  pixel[1] = colour.g;
  pixel[2] = colour.b;
}

// Straight line in image pixels, sampled once per pixel of the longer axis.
void draw_line(Image& image, float x0, float y0, float x1, float y1, Rgb8 colour, int thickness) {
  const float length = std::max(std::fabs(x1 - x0), std::fabs(y1 - y0));
  const int steps = std::max(1, static_cast<int>(std::ceil(length)));
  for (int i = 0; i <= steps; ++i) {
    const float t = static_cast<float>(i) / static_cast<float>(steps);
    const int x = static_cast<int>(std::floor(x0 + (x1 - x0) * t));
    const int y = static_cast<int>(std::floor(y0 + (y1 - y0) * t));
    for (int dy = 0; dy < thickness; ++dy)
      for (int dx = 0; dx < thickness; ++dx) put(image, x + dx - thickness / 2, y + dy - thickness / 2, colour);
  }
}

void draw_disc(Image& image, float cx, float cy, float radius, Rgb8 colour) {
  const int r = static_cast<int>(std::ceil(radius));
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx)
      if (static_cast<float>(dx * dx + dy * dy) <= radius * radius)
        put(image, static_cast<int>(std::floor(cx)) + dx, static_cast<int>(std::floor(cy)) + dy, colour);
}

bool is_finite(const Pose& pose) {
  return std::isfinite(pose.x) && std::isfinite(pose.y) && std::isfinite(pose.yaw);
}

}  // namespace

Image World::render_map(const std::vector<Pose>& path, int pixels_per_cell) const {
  if (pixels_per_cell < 1 || pixels_per_cell > 64) {
    throw UserError("map scale must be 1..64 pixels per cell, got " + std::to_string(pixels_per_cell));
  }
  const Scene& scene = impl_->scene;
  const int ppc = pixels_per_cell;
  Image image(width() * ppc, height() * ppc);
  for (int cy = 0; cy < height(); ++cy) {
    for (int cx = 0; cx < width(); ++cx) {
      const size_t index = static_cast<size_t>(cy) * width() + cx;
      const RoomLook& look = scene.looks[scene.cell_look[index]];
      Rgb8 colour = unpack(look.map_colour);
      if (scene.level.cells[index] == kWall) colour = kWallColour;
      if (scene.level.cells[index] == kPillar) colour = unpack(look.map_colour, 0.35f);
      const int top = (height() - 1 - cy) * ppc;  // +y points up on the map
      for (int y = top; y < top + ppc; ++y)
        for (int x = cx * ppc; x < (cx + 1) * ppc; ++x) put(image, x, y, colour);
    }
  }
  const float scale = static_cast<float>(ppc);
  auto to_image_x = [&](float x) { return x * scale; };
  auto to_image_y = [&](float y) { return (static_cast<float>(height()) - y) * scale; };
  const int thickness = ppc >= 8 ? 2 : 1;
  for (size_t i = 1; i < path.size(); ++i) {
    if (!is_finite(path[i - 1]) || !is_finite(path[i])) continue;
    draw_line(image, to_image_x(path[i - 1].x), to_image_y(path[i - 1].y), to_image_x(path[i].x),
              to_image_y(path[i].y), kPathColour, thickness);
  }
  if (!path.empty() && is_finite(path.front()) && is_finite(path.back())) {
    const float marker = std::max(1.5f, 0.3f * scale);
    draw_disc(image, to_image_x(path.front().x), to_image_y(path.front().y), marker * 0.7f, kStartColour);
    const Pose& agent = path.back();
    const float ax = to_image_x(agent.x), ay = to_image_y(agent.y);
    draw_disc(image, ax, ay, marker, kAgentColour);
    const float tick = std::max(3.0f, 0.9f * scale);
    draw_line(image, ax, ay, ax + tick * portable_cos(agent.yaw), ay - tick * portable_sin(agent.yaw),
              kHeadingColour, thickness);
  }
  return image;
}

}  // namespace dw::nav
