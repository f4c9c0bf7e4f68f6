#include "model/mpc.h"

#include <chrono>

#include "nav/base/user_error.h"

namespace dw::model {

namespace {

// The context keeps the model's last `limit` real frames and the actions between them.
void push_observation(PlanContext& context, const std::vector<float>& action, Image view, int limit) {
  context.frames.push_back(std::move(view));
  context.actions.push_back(action);
  while (static_cast<int>(context.frames.size()) > limit) {
    context.frames.erase(context.frames.begin());
    context.actions.erase(context.actions.begin());
  }
}

MpcOptions checked(MpcOptions options) {
  check_mpc_options(options);
  return options;
}

}  // namespace

CandidateCost mpc_cost(const MpcGoal& goal, const MpcOptions& options,
                       const std::shared_ptr<const std::vector<Features>>& memory) {
  std::vector<CandidateCost> costs;
  costs.push_back(goal.goal ? goal_cost(*goal.goal, options.all_frames_weight, options.nearest_frame)
                            : explore_cost(memory));
  if (options.smoothness > 0.0f) costs.push_back(smoothness_cost(options.smoothness));
  return sum_costs(std::move(costs));
}

bool needs_all_frames(const MpcGoal& goal, const MpcOptions& options) {
  return !goal.goal || options.all_frames_weight > 0.0f || options.nearest_frame;
}

MpcOptions default_mpc_options() {
  MpcOptions options;
  options.planner.population = 32;
  options.planner.elites = 6;
  options.planner.iterations = 2;
  options.planner.horizon = 16;
  options.planner.initial_std = 1.0f;
  options.planner.noise_correlation = 0.7f;
  options.replan_every = 4;
  return options;
}

void check_mpc_options(const MpcOptions& options) {
  check_planner_options(options.planner);
  if (options.replan_every < 1 || options.replan_every > options.planner.horizon) {
    throw UserError("--replan-every must be in 1..--horizon (" + std::to_string(options.planner.horizon) + "), not " +
                    std::to_string(options.replan_every));
  }
  if (options.max_steps < 1) throw UserError("--max-steps must be at least 1");
  if (!(options.smoothness >= 0.0f)) throw UserError("--smoothness must be at least 0");
  if (!(options.all_frames_weight >= 0.0f)) throw UserError("--all-frames-weight must be at least 0");
}

MpcController::MpcController(PlanningModel& model, FrameSpace& space, const MpcGoal& goal, PlanContext start,
                             MpcOptions options)
    : model_(model),
      space_(space),
      options_(checked(std::move(options))),
      planner_(options_.planner, model.action_dimension()),
      memory_(std::make_shared<std::vector<Features>>()),
      is_explore_(!goal.goal),
      cost_(model, space, mpc_cost(goal, options_, memory_), needs_all_frames(goal, options_)),
      context_(std::move(start)) {
  if (is_explore_) *memory_ = space.embed(context_.frames);
}

std::vector<float> MpcController::next_action(std::optional<nav::Pose> pose) {
  const bool needs_plan = replannings_.empty() || used_ >= options_.replan_every;
  if (needs_plan) {
    if (!replannings_.empty()) planner_.shift(used_);
    used_ = 0;
    context_.pose = pose;
    cost_.reset_best();
    const auto started = std::chrono::steady_clock::now();
    const PlanResult plan = planner_.plan([&](const std::vector<ActionSequence>& population) {
      return cost_(context_, population);
    });
    const double milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    // The best candidate's frames are for showing the plan, not for choosing it: not timed.
    replannings_.push_back({executed_, milliseconds, plan.cost_per_iteration, plan.actions, cost_.best_frames()});
  }
  return replannings_.back().plan[static_cast<size_t>(used_++)];
}

void MpcController::observe(const std::vector<float>& action, Image view) {
  ++executed_;
  if (is_explore_) memory_->push_back(space_.embed({view}).front());
  push_observation(context_, action, std::move(view), model_.context());
}

MpcResult run_mpc(PlanningModel& model, FrameSpace& space, Environment& environment, const MpcGoal& goal,
                  PlanContext start, const MpcOptions& options, const MpcProgress& progress) {
  MpcController controller(model, space, goal, std::move(start), options);
  MpcResult result;
  result.frames.push_back(environment.view());
  if (const auto pose = environment.pose()) result.poses.push_back(*pose);
  while (controller.executed() < options.max_steps && !environment.is_at_goal()) {
    const std::vector<float> action = controller.next_action(environment.pose());
    environment.act(action);
    Image view = environment.view();
    result.frames.push_back(view);
    result.actions.push_back(action);
    if (const auto pose = environment.pose()) result.poses.push_back(*pose);
    controller.observe(action, std::move(view));
    if (progress) progress(controller.executed(), options.max_steps);
  }
  result.replannings = controller.replannings();
  result.reached_goal = environment.is_at_goal();
  return result;
}

}  // namespace dw::model
