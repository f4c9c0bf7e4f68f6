// `dreamwalk eval-plan`: goal-image navigation measured in the real world. Tasks come from held-out
// recorded trajectories (start = the pose at frame t with the C frames before it, goal = frame
// t + k); the planner drives the learned model by MPC and the plan is executed in the episode's
// ground-truth world. Baselines in the same table: the planner with the world itself as the model
// (its upper bound), random actions, and the recorded actions replayed open loop (which must reach
// every goal: it checks the tasks and the scoring). Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "model/mpc.h"
#include "model/plan_model.h"
#include "model/plan_world.h"
#include "model/simulator.h"

namespace dw::model {

struct PlanEvalOptions {
  std::filesystem::path data;
  std::string split = "test";
  std::vector<int> ks = {8, 16, 32};
  int tasks = 20;                       // per k
  std::uint64_t seed = 0;               // chooses the tasks
  bool with_model = true;               // the learned model ("dreamwalk")
  std::vector<std::string> baselines = {"world", "random", "replay"};
  MpcOptions mpc;                       // mpc.max_steps: 0 = 2k per task
  GoalTolerance tolerance;
};

struct PlanEvalRow {
  int k = 0;
  std::string planner;  // "cem" / "mppi", or "none" for random and replay
  std::string model;    // "dreamwalk", "world", "random", "replay"
  int tasks = 0;
  double success_rate = 0.0;
  double position_error = 0.0;  // mean final distance to the goal pose, cells
  double ate = 0.0;             // mean over tasks
  double rpe = 0.0;
  double ms_per_plan = 0.0;     // mean per replanning (0 without a planner)
};

struct PlanEvalReport {
  int tasks = 0;
  std::vector<PlanEvalRow> rows;  // per k: dreamwalk, then the baselines in the order given
};

// UserError for an unknown baseline, k < 1, tasks < 1, a split with no episode of at least C + k
// frames with poses and a world seed, a dataset the model does not match, or bad planner options.
void check_plan_eval_options(const PlanEvalOptions& options);

using PlanEvalProgress = std::function<void(int tasks_done, int tasks_total)>;

PlanEvalReport evaluate_planning(Simulator& simulator, FrameSpace& space, const PlanEvalOptions& options,
                                 const PlanEvalProgress& progress = {});

// {"tasks": N, "results": [{"k","planner","model","success_rate","position_error","ate","rpe","ms_per_plan"}..]}
std::string plan_eval_json(const PlanEvalReport& report);
std::string plan_eval_table(const PlanEvalReport& report);

}  // namespace dw::model
