// A sketch of the room a walk starts in, read back from its start frames, to draw that room from
// where the walk later stands. In a world the view map does not know, the dream otherwise walks on
// through a look-alike room of another world (model/view_recall.h): sharp, but with another
// room's colours and walls. Most walks stay in or near the room they started in (78 % of the
// unseen-world tuning split's windows at step 64), and the start frames show much of it.
//
// The sketch is an explicit inverse of the navigation world's camera, not something learned: a
// flat floor, a nearly grey ceiling and walls of one height, seen through the schema's field of
// view and the renderer's distance fog (nav/raycaster.h). Each
// column's wall height gives its distance, so every start frame gives a polyline of wall points
// with the wall's colours (fog taken out) and the floor beneath it. From a new pose (dead reckoning
// from the actions, as the place memory does) each column's ray meets the nearest such polyline,
// and the wall is drawn at that distance, with its fog, over the floor the start frames showed
// there. Columns whose ray meets no sketched wall are left as they were (the model's or a recalled
// frame). The Simulator uses it only for a model with a view map (a model of the navigation
// world's frames), for walks the map does not locate.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "datasets/episode.h"
#include "nav/base/image.h"
#include "nav/pose.h"

namespace dw::model {

struct StartRoomOptions {
  // A sketch is kept when at least this fraction of its start frames' columns show a wall below a
  // grey ceiling (a corridor's grey walls, or frames that are not the world's, show few).
  double min_sketched_columns = 0.5;
  // Two neighbouring columns' wall points join into one wall when nearer than this (cells) plus
  // `gap_per_cell` of their distance (neighbouring columns of one wall lie 0.02 cells apart per
  // cell of distance; a corner that hides another wall jumps much further).
  float gap = 0.08f;
  float gap_per_cell = 0.06f;
  // A wall or floor seen from more than this many times further than it stands now is not drawn
  // (left to the model): magnified, the few rows it covered are a blur. Chosen on the unseen-world
  // tuning split among 2, 3, 4 and none (lowest sharpness 0.747, 0.740, 0.738, 0.703; lowest layout
  // gain over copy-last -0.55, -0.48, -0.39, -0.30 dB): the most drawn that keeps the shipped
  // sharpness (0.734 without the start room).
  float max_magnification = 4.0f;
};

class StartRoom {
 public:
  StartRoom() = default;  // no schema: never active
  explicit StartRoom(const data::ActionSchema& schema, StartRoomOptions options = {});

  bool active() const { return navigation_ && enabled_; }
  void set_enabled(bool enabled) { enabled_ = enabled; }

  // Sketches each trajectory's start room from its start frames `frames[b]` (square, all of one
  // size) and the actions between them (`actions[b]`, one per gap; empty = standing still), and
  // puts it at its last start frame's pose.
  void start(const std::vector<std::vector<Image>>& frames,
             const std::vector<std::vector<std::vector<float>>>& actions);
  // Every trajectory takes its action (forward, strafe, turn in [-1, 1]).
  void move(const std::vector<std::vector<float>>& actions);
  // Draws trajectory b's start room, as seen from where it stands now, over `frame` (the frame's
  // size must be the start frames'), in the columns where the ray meets a sketched wall. Returns
  // the fraction of columns drawn (0 when nothing was sketched).
  double draw(std::int64_t b, Image& frame) const;

  bool sketched(std::int64_t b) const;
  const nav::Pose& pose(std::int64_t b) const { return poses_.at(static_cast<std::size_t>(b)); }

  static constexpr int kProfile = 32;  // colour samples kept down each wall column
  using Colour = std::array<float, 3>;
  // One start frame read back: where it was taken, its columns' wall points and wall colours.
  struct Column {
    bool wall = false;     // a wall was found below the ceiling
    int covered = 0;       // rows of wall on each side of the horizon
    float distance = 0;    // perpendicular to the camera plane
    float x = 0, y = 0;    // where the column's ray met the wall
    std::array<Colour, kProfile> profile{};  // top to bottom, fog taken out
  };
  struct SeenFrame {
    nav::Pose pose;
    Image frame;
    std::vector<Column> columns;
  };
  using Sketch = std::vector<SeenFrame>;

 private:
  // `to` as the sketch's walls let a move from `from` reach it.
  nav::Pose slide(const Sketch& sketch, const nav::Pose& from, nav::Pose to) const;

  bool navigation_ = false;
  bool enabled_ = true;
  nav::ActionLimits limits_;
  float field_of_view_ = 1.2f;
  float agent_radius_ = 0.2f;
  StartRoomOptions options_;
  std::vector<std::shared_ptr<const Sketch>> sketches_;  // per trajectory; null = nothing sketched
  std::vector<nav::Pose> poses_;                          // in the sketch's frame
};

}  // namespace dw::model
