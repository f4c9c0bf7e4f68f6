// `dreamwalk plan`: plan in imagination toward a goal image, a goal pose's view or, with no goal,
// toward the unseen (explore), executing the plan in the ground-truth world by MPC; or, with start
// images and no world, plan once and keep the imagined path. Writes the executed trajectory, a GIF
// (real view | imagined plan | goal), the map with the path and plan.json. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/mpc.h"
#include "model/plan_world.h"
#include "model/simulator.h"
#include "nav/pose.h"

namespace dw::model {

struct PlanJob {
  std::filesystem::path checkpoint;                 // for the encoder feature space
  std::string device = "cpu";
  std::uint64_t world_seed = 1;
  std::optional<nav::Pose> start_pose;              // default: the world's spawn pose for --seed
  std::vector<std::filesystem::path> start_images;  // imagination only, no world
  std::filesystem::path goal_image;
  std::optional<nav::Pose> goal_pose;
  bool explore = false;
  std::string cost_space = kDefaultCostSpace;       // or "embedding", "pixels"
  MpcOptions mpc;
  GoalTolerance tolerance;
  std::filesystem::path out;
  bool force = false;
  int scale = 2;                                    // GIF upsampling
};

struct PlanSummary {
  bool in_world = false;
  bool has_goal_pose = false;
  bool success = false;
  float position_error = 0.0f;
  float heading_error = 0.0f;
  int steps = 0;
  int replannings = 0;
  double mean_ms_per_plan = 0.0;
  std::vector<std::string> files;
};

// Throws UserError (one line naming the flag) for a missing or doubled goal, a goal pose or start
// pose off the map or in a wall, a goal pose or world for a model not driven by forward/strafe/turn,
// planner options out of range, or an --out that exists (without force).
PlanSummary run_plan_job(Simulator& simulator, const PlanJob& job, const MpcProgress& progress = {});

}  // namespace dw::model
