#include "model/start_room.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nav/raycaster.h"
#include "nav/world.h"

namespace dw::model {
namespace {

using Colour = StartRoom::Colour;

// The share of a surface's own colour left at `distance`; the rest is fog.
float fog_keep(float distance) { return 1.0f / (1.0f + nav::kFogDensity * distance * distance); }

Colour clear_fog(const std::uint8_t* pixel, float distance) {
  const float keep = std::max(0.05f, fog_keep(distance));  // far walls are nearly all fog: cap the gain
  Colour colour;
  for (int i = 0; i < 3; ++i) {
    colour[i] = std::clamp((pixel[i] - nav::kFogColour[i] * (1.0f - keep)) / keep, 0.0f, 255.0f);
  }
  return colour;
}

void put_with_fog(const Colour& colour, float distance, std::uint8_t* pixel) {
  const float keep = fog_keep(distance);
  for (int i = 0; i < 3; ++i) {
    const float value = colour[i] * keep + nav::kFogColour[i] * (1.0f - keep);
    pixel[i] = static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
  }
}

// The raycaster's camera at a pose: the ray through a column has a forward component of 1, so a
// distance along it is the distance perpendicular to the camera plane.
struct Camera {
  float x, y, dir_x, dir_y, right_x, right_y;
  Camera(const nav::Pose& pose, float plane_scale)
      : x(pose.x),
        y(pose.y),
        dir_x(std::cos(pose.yaw)),
        dir_y(std::sin(pose.yaw)),
        right_x(dir_y * plane_scale),
        right_y(-dir_x * plane_scale) {}
  void ray(int column, int width, float& rx, float& ry) const {
    const float camera = 2.0f * (static_cast<float>(column) + 0.5f) / static_cast<float>(width) - 1.0f;
    rx = dir_x + right_x * camera;
    ry = dir_y + right_y * camera;
  }
};

// How grey a colour is not: 0 for grey, 1 for a pure hue.
float saturation(const Colour& colour) {
  const float high = std::max({colour[0], colour[1], colour[2]});
  const float low = std::min({colour[0], colour[1], colour[2]});
  return high <= 1.0f ? 0.0f : (high - low) / high;
}

// Distance of a wall that covers `covered` rows on each side of the horizon, and of the floor seen
// `k` rows below it (the 2x supersampled renderer's rows, averaged in pairs).
float wall_distance(int covered, float focal) { return 2.0f * focal / (4.0f * static_cast<float>(covered) - 1.0f); }
float floor_distance(int k, float focal) { return focal / (2.0f * static_cast<float>(k) + 1.0f); }

// Cells a move may come nearer a sketched wall within the agent's radius and still count as
// sliding along it: sketched walls are a little jagged (each column's distance is read to a row).
constexpr float kSlideSlack = 0.02f;

// Above this saturation a colour is taken for a wall, not the ceiling.
constexpr float kGrey = 0.25f;

StartRoom::Column read_column(const Image& frame, int x, const Camera& camera, float focal) {
  const int half = frame.height / 2;
  StartRoom::Column column;
  // From the top down the column shows ceiling until the wall begins. A room's ceiling is nearly
  // grey and its walls are not (nav/texture.cpp); the ceiling's fog is known from its row, so the
  // first row that, cleared of the fog a ceiling there would have, is not grey is the wall's top.
  // (Measured on 200 views in ten unseen worlds: 91 % of columns found, 99.5 % of those within a
  // row of the true height. A corridor's walls are as grey as its ceiling: none found there.)
  int first_wall_row = 0;
  while (first_wall_row < half &&
         saturation(clear_fog(frame.at(x, first_wall_row), floor_distance(half - 1 - first_wall_row, focal))) <= kGrey) {
    ++first_wall_row;
  }
  column.covered = half - first_wall_row;
  if (column.covered == 0) return column;
  column.wall = true;
  column.distance = wall_distance(column.covered, focal);
  float rx = 0, ry = 0;
  camera.ray(x, frame.width, rx, ry);
  column.x = camera.x + column.distance * rx;
  column.y = camera.y + column.distance * ry;
  // Fog-free colours down the wall, binned by where on the wall's height each row falls.
  const float line = focal / column.distance;  // the wall's height in rows
  const float top = static_cast<float>(half) - 0.5f * line;
  std::array<Colour, StartRoom::kProfile> sums{};
  std::array<int, StartRoom::kProfile> counts{};
  for (int y = half - column.covered; y < half + column.covered; ++y) {
    const float v = (static_cast<float>(y) + 0.5f - top) / line;
    const int bin = std::clamp(static_cast<int>(v * StartRoom::kProfile), 0, StartRoom::kProfile - 1);
    const Colour colour = clear_fog(frame.at(x, y), column.distance);
    for (int i = 0; i < 3; ++i) sums[bin][i] += colour[i];
    ++counts[bin];
  }
  // Bins no row fell in (a far wall is a few rows high; a near one is cut off at the frame's
  // edges) take the nearest bin's colour.
  for (int bin = 0; bin < StartRoom::kProfile; ++bin) {
    int nearest = -1;
    for (int d = 0; d < StartRoom::kProfile && nearest < 0; ++d) {
      if (bin - d >= 0 && counts[bin - d] > 0) nearest = bin - d;
      else if (bin + d < StartRoom::kProfile && counts[bin + d] > 0) nearest = bin + d;
    }
    for (int i = 0; i < 3; ++i) column.profile[bin][i] = sums[nearest][i] / static_cast<float>(counts[nearest]);
  }
  return column;
}

// The sketch's wall point nearest (x, y) and its distance (infinity when it has none).
struct WallPoint {
  float x = 0, y = 0;
  float distance = std::numeric_limits<float>::infinity();
};
WallPoint nearest_wall(const StartRoom::Sketch& sketch, float x, float y) {
  WallPoint nearest;
  for (const StartRoom::SeenFrame& seen : sketch) {
    for (const StartRoom::Column& column : seen.columns) {
      const float distance = std::hypot(column.x - x, column.y - y);
      if (column.wall && distance < nearest.distance) nearest = {column.x, column.y, distance};
    }
  }
  return nearest;
}

// The nearest sketched wall a ray (forward component 1) meets: a segment between neighbouring
// columns of one start frame. `texture`: the nearer of the two columns (magnified, a blend blurs);
// null when the ray meets none.
struct WallHit {
  float distance = std::numeric_limits<float>::infinity();  // along the ray: perpendicular to the camera
  float seen_distance = 0;                                   // the nearer column's, when it was seen
  const StartRoom::Column* texture = nullptr;
};
WallHit nearest_hit(const StartRoom::Sketch& sketch, const Camera& camera, float rx, float ry,
                    const StartRoomOptions& options) {
  WallHit hit;
  for (const StartRoom::SeenFrame& seen : sketch) {
    for (std::size_t i = 0; i + 1 < seen.columns.size(); ++i) {
      const StartRoom::Column& a = seen.columns[i];
      const StartRoom::Column& c = seen.columns[i + 1];
      if (!a.wall || !c.wall) continue;
      const float ex = c.x - a.x, ey = c.y - a.y;
      if (std::hypot(ex, ey) > options.gap + options.gap_per_cell * std::min(a.distance, c.distance)) continue;
      // camera + t * ray = a + u * (c - a), solved by cross products.
      const float denominator = rx * ey - ry * ex;
      if (std::fabs(denominator) < 1e-9f) continue;
      const float qx = a.x - camera.x, qy = a.y - camera.y;
      const float t = (qx * ey - qy * ex) / denominator;
      const float u = (qx * ry - qy * rx) / denominator;
      if (u < 0.0f || u > 1.0f || t <= 0.05f || t >= hit.distance) continue;
      hit.distance = t;
      hit.seen_distance = std::min(a.distance, c.distance);
      hit.texture = u < 0.5f ? &a : &c;
    }
  }
  return hit;
}

// Where the start frame nearest a floor point (x, y) saw it: column x, k rows below the horizon
// (the ceiling k rows above), at `distance`; `frame` null when none saw it (out of view, or
// behind a wall).
struct FloorSeen {
  const Image* frame = nullptr;
  int x = 0, k = 0;
  float distance = std::numeric_limits<float>::infinity();
};
// `cameras`: the start frames' cameras, one per frame of the sketch.
FloorSeen floor_seen(const StartRoom::Sketch& sketch, const std::vector<Camera>& cameras, float x, float y,
                     float focal, float plane_scale) {
  FloorSeen found;
  float nearest = std::numeric_limits<float>::infinity();  // the seeing frame's depth of the point
  for (std::size_t s = 0; s < sketch.size(); ++s) {
    const StartRoom::SeenFrame& seen = sketch[s];
    const Camera& from = cameras[s];
    const float dx = x - from.x, dy = y - from.y;
    const float z = dx * from.dir_x + dy * from.dir_y;
    if (z <= 0.0f || z >= nearest) continue;
    const int width = seen.frame.width, half = seen.frame.height / 2;
    const float across = (dx * from.right_x + dy * from.right_y) / (z * plane_scale * plane_scale);
    const int column = static_cast<int>(std::lround((across + 1.0f) * 0.5f * static_cast<float>(width) - 0.5f));
    const int k = static_cast<int>(std::lround((focal / z - 1.0f) * 0.5f));
    if (column < 0 || column >= width || k >= half || k < seen.columns[column].covered) continue;
    nearest = z;
    found = {&seen.frame, column, k, floor_distance(k, focal)};
  }
  return found;
}

}  // namespace

StartRoom::StartRoom(const data::ActionSchema& schema, StartRoomOptions options)
    : navigation_(schema.is_navigation()), options_(options) {
  if (!navigation_) return;
  const nav::WorldSettings settings = data::world_settings_for(schema);
  limits_ = settings.limits;
  field_of_view_ = settings.field_of_view;
  agent_radius_ = settings.agent_radius;
}

bool StartRoom::sketched(std::int64_t b) const { return sketches_.at(static_cast<std::size_t>(b)) != nullptr; }

void StartRoom::start(const std::vector<std::vector<Image>>& frames,
                      const std::vector<std::vector<std::vector<float>>>& actions) {
  sketches_.assign(frames.size(), nullptr);
  poses_.assign(frames.size(), nav::Pose{});
  if (!navigation_) return;
  const float plane_scale = std::tan(0.5f * field_of_view_);
  for (std::size_t b = 0; b < frames.size(); ++b) {
    const std::vector<std::vector<float>> none;
    const std::vector<nav::Pose> path = nav::free_path(b < actions.size() ? actions[b] : none, frames[b].size(), limits_);
    if (path.empty()) continue;
    poses_[b] = path.back();
    // A planner's population starts many rows from one start: it is sketched once.
    if (b > 0 && same_images(frames[b], frames[b - 1]) && (actions.empty() || actions[b] == actions[b - 1])) {
      sketches_[b] = sketches_[b - 1];
      continue;
    }
    auto sketch = std::make_shared<Sketch>();
    std::size_t columns = 0, with_floor = 0;
    for (std::size_t t = 0; t < frames[b].size(); ++t) {
      const Image& frame = frames[b][t];
      if (frame.width != frame.height || frame.width < 8) break;
      const float focal = 0.5f * static_cast<float>(frame.height) / plane_scale;
      const Camera camera(path[t], plane_scale);
      SeenFrame seen{path[t], frame, {}};
      for (int x = 0; x < frame.width; ++x) {
        seen.columns.push_back(read_column(frame, x, camera, focal));
        ++columns;
        if (seen.columns.back().wall && seen.columns.back().covered < frame.height / 2) ++with_floor;
      }
      sketch->push_back(std::move(seen));
    }
    if (sketch->size() == frames[b].size() && columns > 0 &&
        static_cast<double>(with_floor) >= options_.min_sketched_columns * static_cast<double>(columns)) {
      sketches_[b] = std::move(sketch);
    }
  }
}

nav::Pose StartRoom::slide(const Sketch& sketch, const nav::Pose& from, nav::Pose to) const {
  // The world stops the agent agent_radius from a wall and slides it along the wall; so do the
  // sketched walls, for a move that would come nearer one than that (and nearer than the walk
  // already is: a wall sketched a little too near must not hold the walk where it stands). Walks
  // bump into walls: at step 64, dead reckoning in open space is more than 0.3 cells from the
  // truth in 23 % of the unseen-world tuning split's windows.
  const WallPoint wall = nearest_wall(sketch, from.x, from.y);
  const auto blocked = [&](float x, float y) {
    const float there = nearest_wall(sketch, x, y).distance;
    return there < agent_radius_ && there < wall.distance - kSlideSlack;
  };
  if (!blocked(to.x, to.y) || wall.distance <= 0.0f) return to;
  // Slide: the move less its part toward the nearest wall point.
  const float nx = (from.x - wall.x) / wall.distance, ny = (from.y - wall.y) / wall.distance;
  const float mx = to.x - from.x, my = to.y - from.y;
  const float into = std::min(0.0f, mx * nx + my * ny);
  to.x = from.x + mx - into * nx;
  to.y = from.y + my - into * ny;
  if (blocked(to.x, to.y)) {
    to.x = from.x;
    to.y = from.y;
  }
  return to;
}

void StartRoom::move(const std::vector<std::vector<float>>& actions) {
  if (!navigation_) return;
  for (std::size_t b = 0; b < poses_.size() && b < actions.size(); ++b) {
    const std::vector<float>& a = actions[b];
    const nav::Pose from = poses_[b];
    nav::Pose to = nav::free_step(from, {a.at(0), a.at(1), a.at(2)}, limits_);
    if (sketches_[b]) to = slide(*sketches_[b], from, to);
    poses_[b] = to;
  }
}

double StartRoom::draw(std::int64_t b, Image& frame) const {
  const Sketch* sketch = active() ? sketches_.at(static_cast<std::size_t>(b)).get() : nullptr;
  if (!sketch || sketch->empty() || !frame.same_size(sketch->front().frame)) return 0.0;
  const int width = frame.width, half = frame.height / 2;
  const float plane_scale = std::tan(0.5f * field_of_view_);
  const float focal = 0.5f * static_cast<float>(frame.height) / plane_scale;
  const Camera camera(poses_.at(static_cast<std::size_t>(b)), plane_scale);
  std::vector<Camera> seen_from;
  for (const SeenFrame& seen : *sketch) seen_from.emplace_back(seen.pose, plane_scale);
  int drawn = 0;
  for (int x = 0; x < width; ++x) {
    float rx = 0, ry = 0;
    camera.ray(x, width, rx, ry);
    const WallHit hit = nearest_hit(*sketch, camera, rx, ry, options_);
    // A wall seen from much further than it now stands is drawn blurred: left to the model.
    if (!hit.texture || hit.seen_distance > options_.max_magnification * hit.distance) continue;
    ++drawn;
    const float line = focal / hit.distance;  // the wall's height in rows
    const float top = static_cast<float>(half) - 0.5f * line;
    for (int k = 0; k < half; ++k) {
      const int below = half + k, above = half - 1 - k;
      if ((static_cast<float>(below) + 0.5f - top) / line < 1.0f) {  // the wall (symmetric about the horizon)
        for (const int y : {below, above}) {
          const float v = (static_cast<float>(y) + 0.5f - top) / line;
          const int bin = std::clamp(static_cast<int>(v * kProfile), 0, kProfile - 1);
          put_with_fog(hit.texture->profile[bin], hit.distance, frame.at(x, y));
        }
        continue;
      }
      // Floor and ceiling: the point this row shows, as the start frame nearest it saw it.
      const float distance = floor_distance(k, focal);
      const FloorSeen seen =
          floor_seen(*sketch, seen_from, camera.x + distance * rx, camera.y + distance * ry, focal, plane_scale);
      if (!seen.frame || seen.distance > options_.max_magnification * distance) continue;  // left as it was
      put_with_fog(clear_fog(seen.frame->at(seen.x, half + seen.k), seen.distance), distance, frame.at(x, below));
      put_with_fog(clear_fog(seen.frame->at(seen.x, half - 1 - seen.k), seen.distance), distance, frame.at(x, above));
    }
  }
  return static_cast<double>(drawn) / static_cast<double>(width);
}

}  // namespace dw::model
