// Model-predictive control in imagination: plan H steps, execute the first R in the real
// environment, observe, replan from the new view (warm-started from the old plan), until the
// environment says the goal is reached or M steps pass. Torch-free: it drives any PlanningModel,
// FrameSpace and Environment, so tests run it on fakes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "model/plan_model.h"
#include "model/planner.h"
#include "nav/base/image.h"
#include "nav/pose.h"

namespace dw::model {

// Where plans are executed: the ground-truth world (model/plan_world.h) or a test's fake.
class Environment {
 public:
  virtual ~Environment() = default;
  virtual Image view() const = 0;  // the current real frame, at the model's size
  virtual void act(const std::vector<float>& action) = 0;
  virtual std::optional<nav::Pose> pose() const { return std::nullopt; }
  virtual bool is_at_goal() const { return false; }
};

struct MpcOptions {
  PlannerOptions planner;
  int replan_every = 4;          // R actions executed per plan (at most the horizon)
  int max_steps = 64;            // M
  float smoothness = 0.0f;       // weight of the smoothness penalty
  float all_frames_weight = 0.0f;  // weight of the distance of every imagined frame to the goal
  bool nearest_frame = false;      // score the imagined frame nearest the goal, not the last one
};

// The planner the README's eval-plan figures measured best on this CPU, the default of `plan`,
// `eval-plan`, `bench plan` and the viewer's Go to: N 32, E 6, K 2, H 16, R 4, std 1.0, noise
// correlation 0.7 (with the layout cost space, kDefaultCostSpace).
MpcOptions default_mpc_options();
inline constexpr const char* kDefaultCostSpace = "layout";

// UserError naming the flag when replan_every is outside 1..horizon, max_steps < 1, or a weight
// is negative; also checks the planner's options.
void check_mpc_options(const MpcOptions& options);

struct Replanning {
  int step = 0;                          // executed steps before it
  double milliseconds = 0.0;
  std::vector<double> cost_per_iteration;
  ActionSequence plan;
  std::vector<Image> imagined;           // the chosen plan's imagined frames
};

struct MpcResult {
  std::vector<Image> frames;          // real views: the start, then one after each action
  ActionSequence actions;             // executed
  std::vector<nav::Pose> poses;       // when the environment knows them: start, then after each action
  std::vector<Replanning> replannings;
  bool reached_goal = false;          // the environment said so before max_steps ran out
};

// What to minimise: imagined frames near `goal` (in the space's features), or, without a goal,
// frames unlike every real frame seen so far (explore).
struct MpcGoal {
  std::optional<Features> goal;
};

// The candidate cost MPC minimises (goal distance or explore's novelty against `memory`, plus
// smoothness) and whether it needs every imagined frame embedded or only the last.
CandidateCost mpc_cost(const MpcGoal& goal, const MpcOptions& options,
                       const std::shared_ptr<const std::vector<Features>>& memory);
bool needs_all_frames(const MpcGoal& goal, const MpcOptions& options);

// The MPC loop one step at a time, for callers that own the loop (run_mpc below; the viewer's Go to,
// which steps on its own clock): next_action() replans when the current plan's first R actions
// are used up (warm-started from it), observe() hands it the real frame the action led to.
class MpcController {
 public:
  // `start`: the real frames (1..model context) and actions before the first plan. The model and
  // space must outlive the controller.
  MpcController(PlanningModel& model, FrameSpace& space, const MpcGoal& goal, PlanContext start, MpcOptions options);

  // The next action to execute; `pose` is the true pose when the environment knows it (only the
  // world-as-model needs it). Replans first when due, which is the slow part.
  std::vector<float> next_action(std::optional<nav::Pose> pose = std::nullopt);
  // The real frame after the action just returned by next_action().
  void observe(const std::vector<float>& action, Image view);

  int executed() const { return executed_; }
  const std::vector<Replanning>& replannings() const { return replannings_; }
  const MpcOptions& options() const { return options_; }

 private:
  PlanningModel& model_;
  FrameSpace& space_;
  MpcOptions options_;
  Planner planner_;
  std::shared_ptr<std::vector<Features>> memory_;  // explore: the real frames seen so far
  bool is_explore_;
  ImaginedCost cost_;
  PlanContext context_;
  int executed_ = 0;
  int used_ = 0;  // actions of the latest plan executed so far
  std::vector<Replanning> replannings_;
};

using MpcProgress = std::function<void(int steps_done, int max_steps)>;

// `start`: the real frames (1..model context) and actions before the first plan; the last frame
// must be the environment's current view.
MpcResult run_mpc(PlanningModel& model, FrameSpace& space, Environment& environment, const MpcGoal& goal,
                  PlanContext start, const MpcOptions& options, const MpcProgress& progress = {});

}  // namespace dw::model
