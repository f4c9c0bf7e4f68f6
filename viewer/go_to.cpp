#include "viewer/go_to.h"

#include <algorithm>
#include <cstdio>

namespace dw::viewer {

namespace {

const Image& observed_frame(const TimelineEntry& entry) { return entry.truth ? *entry.truth : entry.dream; }

model::MpcGoal embedded_goal(model::FrameSpace& space, const Image& goal) {
  return model::MpcGoal{space.embed({goal}).front()};
}

Image at_model_size(const Image& image, const model::ModelInfo& info) {
  return image.same_size(Image(info.width, info.height)) ? image : resize_image(image, info.width, info.height);
}

}  // namespace

model::PlanContext plan_context_of(const Session& session, int context) {
  model::PlanContext plan_context;
  const int first = std::max(0, session.current() - std::max(1, context) + 1);
  for (int i = first; i <= session.current(); ++i) {
    plan_context.frames.push_back(observed_frame(session.entry(i)));
    if (i > first) plan_context.actions.push_back(session.entry(i).action);
  }
  if (session.has_ground_truth()) plan_context.pose = session.now().pose;
  return plan_context;
}

GoTo::GoTo(GoToPlanning& planning, const Session& session, GoToGoal goal, model::MpcOptions options,
           model::GoalTolerance tolerance)
    : goal_{at_model_size(goal.image, session.info()), goal.pose, std::move(goal.source)},
      tolerance_(tolerance),
      controller_(*planning.model, *planning.space, embedded_goal(*planning.space, goal_.image),
                  plan_context_of(session, planning.model->context()), std::move(options)) {}

bool GoTo::is_done(const Session& session) const {
  if (goal_.pose && session.has_ground_truth() && model::is_within(session.now().pose, *goal_.pose, tolerance_)) {
    return true;
  }
  return controller_.executed() >= controller_.options().max_steps;
}

std::string GoTo::outcome(const Session& session) const {
  if (goal_.pose && session.has_ground_truth()) {
    const float error = model::position_error(session.now().pose, *goal_.pose);
    char text[96];
    std::snprintf(text, sizeof(text), "%s after %d steps (%.2f cells from the goal)",
                  model::is_within(session.now().pose, *goal_.pose, tolerance_) ? "reached the goal" : "gave up",
                  controller_.executed(), error);
    return text;
  }
  return "walked " + std::to_string(controller_.executed()) + " steps (no goal pose: the goal image's place is unknown)";
}

std::vector<float> GoTo::next_action(const Session& session) {
  return controller_.next_action(session.has_ground_truth() ? std::optional<nav::Pose>(session.now().pose)
                                                            : std::nullopt);
}

void GoTo::observe(const Session& session, const std::vector<float>& action) {
  controller_.observe(action, observed_frame(session.now()));
}

GoToView GoTo::view() const {
  GoToView view;
  view.is_active = true;
  view.goal_source = goal_.source;
  view.goal = goal_.image;
  view.steps = controller_.executed();
  view.max_steps = controller_.options().max_steps;
  view.replannings = static_cast<int>(controller_.replannings().size());
  if (!controller_.replannings().empty()) {
    view.plan = controller_.replannings().back().imagined;
    view.last_plan_ms = controller_.replannings().back().milliseconds;
  }
  return view;
}

}  // namespace dw::viewer
