// A memory of places: the model remembers the state it was in at every pose it has been (observed
// or imagined), and when a walk comes back to one of them it recalls that state instead of
// imagining the place again, so a full turn or an out-and-back shows what was seen before, and a
// walk that stands still does not blur. Poses come from the actions alone (dead reckoning with the
// schema's per-step limits, as the world moves in open space): the model is never told where it
// is. Only navigation models (forward, strafe, turn) have it; for others it does nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "datasets/episode.h"
#include "model/imagination.h"
#include "nav/pose.h"

namespace dw::model {

struct PlaceMemoryOptions {
  float position_tolerance = 0.02f;  // cells: a pose this close is the same place
  float yaw_tolerance = 0.01f;       // radians (under a pixel at 64 px and a 1.2 rad view)
  int capacity = 1024;               // places kept per trajectory; the oldest go first
};

class PlaceMemory {
 public:
  PlaceMemory() = default;  // no schema: never active
  explicit PlaceMemory(const data::ActionSchema& schema, PlaceMemoryOptions options = {});

  // False for a schema that is not forward, strafe, turn, or when switched off.
  bool active() const { return navigation_ && enabled_; }
  void set_enabled(bool enabled) { enabled_ = enabled; }

  // `batch` trajectories at the origin, nothing remembered.
  void start(std::int64_t batch);
  // Every trajectory takes its action (actions[b]: forward, strafe, turn in [-1, 1]).
  void move(const std::vector<std::vector<float>>& actions);
  // Puts every trajectory's state at its current pose into the memory. With `replace` (a true
  // frame was just seen) it overwrites what was remembered there; otherwise a place already
  // remembered keeps its state.
  void remember(const ImaginationState& state, bool replace);
  // For every trajectory whose current pose is remembered, its state becomes the remembered one
  // (its noise stream stays), in one out-of-place copy. Returns which rows were recalled.
  std::vector<bool> recall(ImaginationState& state) const;
  // The rows recall() would recall now (known from the poses alone, before a step is imagined).
  std::vector<bool> remembered() const;

  const std::vector<nav::Pose>& poses() const { return poses_; }
  std::size_t size(std::int64_t b) const { return places_.at(static_cast<size_t>(b)).size(); }

 private:
  struct Place {
    nav::Pose pose;
    ImaginationState state;  // one row
  };
  // Index of the remembered place at trajectory b's current pose, or -1.
  int find(std::int64_t b) const;

  bool navigation_ = false;
  bool enabled_ = true;
  nav::ActionLimits limits_;
  PlaceMemoryOptions options_;
  std::vector<nav::Pose> poses_;                 // per trajectory, from the actions
  std::vector<std::vector<Place>> places_;       // per trajectory, oldest first
};

}  // namespace dw::model
