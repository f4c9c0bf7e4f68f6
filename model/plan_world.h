// Executing plans in the ground-truth world and scoring them: the world as an Environment (the
// MPC loop acts in it), success within a position and heading tolerance of the goal pose, and the
// executed path's ATE and RPE against a recorded one (the figures Navigation World Models reports).
// Torch-free.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/mpc.h"
#include "nav/pose.h"
#include "nav/world.h"

namespace dw::model {

struct GoalTolerance {
  float position = 0.5f;  // cells
  float heading = 0.35f;  // radians
};

float position_error(const nav::Pose& a, const nav::Pose& b);
float heading_error(const nav::Pose& a, const nav::Pose& b);  // in [0, pi]
bool is_within(const nav::Pose& pose, const nav::Pose& goal, const GoalTolerance& tolerance);

struct PathErrors {
  double ate = 0.0;  // RMS position error, point by point
  double rpe = 0.0;  // RMS error of the step-to-step displacement
};
// Both paths resampled (linear in the index) to the recorded path's number of points, so an
// executed path that took more or fewer steps is compared by progress along it. Both need at
// least one pose; a recorded path of one pose gives rpe 0.
PathErrors path_errors(const std::vector<nav::Pose>& executed, const std::vector<nav::Pose>& recorded);

class WorldEnvironment final : public Environment {
 public:
  WorldEnvironment(nav::World world, nav::Pose start, int width, int height,
                   std::optional<nav::Pose> goal = std::nullopt, GoalTolerance tolerance = {});
  Image view() const override;
  void act(const std::vector<float>& action) override;
  std::optional<nav::Pose> pose() const override { return pose_; }
  bool is_at_goal() const override { return goal_ && is_within(pose_, *goal_, tolerance_); }
  const nav::World& world() const { return world_; }

 private:
  nav::World world_;
  nav::Pose pose_;
  int width_, height_;
  std::optional<nav::Pose> goal_;
  GoalTolerance tolerance_;
};

}  // namespace dw::model
