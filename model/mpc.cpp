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

MpcResult run_mpc(PlanningModel& model, FrameSpace& space, Environment& environment, const MpcGoal& goal,
                  PlanContext start, const MpcOptions& options, const MpcProgress& progress) {
  check_mpc_options(options);
  Planner planner(options.planner, model.action_dimension());
  auto memory = std::make_shared<std::vector<Features>>();
  const bool is_explore = !goal.goal;
  ImaginedCost cost(model, space, mpc_cost(goal, options, memory), needs_all_frames(goal, options));
  if (is_explore) *memory = space.embed(start.frames);

  MpcResult result;
  PlanContext context = std::move(start);
  result.frames.push_back(environment.view());
  if (const auto pose = environment.pose()) result.poses.push_back(*pose);
  int executed = 0;
  while (executed < options.max_steps && !environment.is_at_goal()) {
    context.pose = environment.pose();
    cost.reset_best();
    const auto started = std::chrono::steady_clock::now();
    const PlanResult plan = planner.plan([&](const std::vector<ActionSequence>& population) {
      return cost(context, population);
    });
    Replanning replanning{executed, 0.0, plan.cost_per_iteration, plan.actions, cost.best_frames()};
    replanning.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    result.replannings.push_back(std::move(replanning));

    int done = 0;
    while (done < options.replan_every && executed < options.max_steps && !environment.is_at_goal()) {
      const std::vector<float>& action = plan.actions[static_cast<size_t>(done)];
      environment.act(action);
      ++done;
      ++executed;
      Image view = environment.view();
      if (is_explore) memory->push_back(space.embed({view}).front());
      result.frames.push_back(view);
      result.actions.push_back(action);
      if (const auto pose = environment.pose()) result.poses.push_back(*pose);
      push_observation(context, action, std::move(view), model.context());
      if (progress) progress(executed, options.max_steps);
    }
    planner.shift(done);
  }
  result.reached_goal = environment.is_at_goal();
  return result;
}

}  // namespace dw::model
