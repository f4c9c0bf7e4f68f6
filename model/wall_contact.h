// Walls a walk was seen standing against in its start frames. Two start frames that are the same
// although the action between them asked to move mean the agent stood against something in that
// direction (the world stops it at its radius from a wall). The model, its place memory and its
// view map dead-reckon from the actions as if in open space: without this, a walk that the start
// frames show pushing into a wall walks on into it in the dream while the truth stands still.
// Each trajectory keeps the last such wall: a plane through the pose where it was met, facing the
// blocked direction, that holds within `reach` cells of that pose. Later actions become what the
// wall lets happen (their move into it taken out), so the model and every memory see the walk
// stand, or slide along the wall. Navigation schemas only; for others it changes nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "datasets/episode.h"
#include "nav/base/image.h"
#include "nav/pose.h"

namespace dw::model {

struct WallContactOptions {
  // Root mean square difference ([0, 1]) under which two start frames count as the same: a
  // rendered world repeats a frame exactly, a camera's frames differ by their noise at least.
  double same_rms = 0.004;
  float reach = 1.0f;  // cells from where the wall was met within which it holds
};

class WallContact {
 public:
  WallContact() = default;  // no schema: never active
  explicit WallContact(const data::ActionSchema& schema, WallContactOptions options = {});

  bool active() const { return navigation_ && enabled_; }
  void set_enabled(bool enabled) { enabled_ = enabled; }

  // Finds each trajectory's wall from its start frames (`frames[b]`) and the actions between them
  // (`actions[b]`, one per gap; empty = none given), and returns those actions as they happened:
  // a gap whose two frames are the same moved nothing (zeros). With one start and `batch` > 1,
  // every trajectory starts from it (a planner's population).
  std::vector<std::vector<std::vector<float>>> start(const std::vector<std::vector<Image>>& frames,
                                                     const std::vector<std::vector<std::vector<float>>>& actions,
                                                     std::int64_t batch);
  // The actions as they happen (actions[b]: forward, strafe, turn in [-1, 1]): a move into the
  // trajectory's wall is taken out, the rest kept. Every trajectory's pose follows.
  std::vector<std::vector<float>> apply(const std::vector<std::vector<float>>& actions);

  bool has_wall(std::int64_t b) const { return walls_.at(static_cast<std::size_t>(b)).met; }

 private:
  struct Wall {
    bool met = false;
    nav::Pose at;             // where the agent stood against it
    float normal_x = 0.0f;    // unit vector pointing into the wall
    float normal_y = 0.0f;
  };
  // What `action` does from `pose` with `wall` in the way: the action and the pose it leads to.
  std::vector<float> happened(const nav::Pose& pose, const std::vector<float>& action, const Wall& wall,
                              nav::Pose& to) const;

  bool navigation_ = false;
  bool enabled_ = true;
  nav::ActionLimits limits_;
  WallContactOptions options_;
  std::vector<nav::Pose> poses_;  // by dead reckoning from the last start frame's pose
  std::vector<Wall> walls_;
};

}  // namespace dw::model
