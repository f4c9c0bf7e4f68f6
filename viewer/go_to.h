// Go to: the viewer walks itself to a goal image by planning in imagination (model/mpc.h's
// controller, the same search and costs as `dreamwalk plan`), one executed action per tick, the
// dream and the ground truth following it as they follow keys. Torch-free: the planning model and
// frame space come from a factory, so tests hand it fakes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/mpc.h"
#include "model/plan_model.h"
#include "model/plan_world.h"
#include "nav/base/image.h"
#include "nav/pose.h"
#include "viewer/session.h"

namespace dw::viewer {

struct GoToGoal {
  Image image;                    // any size: resized to the model's
  std::optional<nav::Pose> pose;  // known when the goal is a frame of this walk's world
  std::string source;             // what the panel shows: "frame 12", a path
};

// What Go to plans with. Built on the worker's thread the first time Go to starts (the encoder of
// the embedding cost loads then, not at every viewer start).
struct GoToPlanning {
  std::unique_ptr<model::PlanningModel> model;
  std::unique_ptr<model::FrameSpace> space;
};
using GoToPlanningFactory = std::function<GoToPlanning()>;


// What the panel shows of a Go to, carried in the stepper's snapshot.
struct GoToView {
  bool is_active = false;
  std::string goal_source;
  Image goal;                  // at the model's size
  std::vector<Image> plan;     // the latest plan's imagined frames (the filmstrip)
  int steps = 0;               // executed so far
  int max_steps = 0;
  int replannings = 0;
  double last_plan_ms = 0.0;
  std::string outcome;         // why it ended: "reached the goal", "stopped (Esc)", ...
};

// The real frames the planner observes: the ground truth when the walk has one (what a robot would
// see), else the dream; the last `context` frames of the timeline up to the current frame and the
// actions between them.
model::PlanContext plan_context_of(const Session& session, int context);

// One Go to from the session's current frame. Not thread-safe: the stepper's worker owns it.
class GoTo {
 public:
  GoTo(GoToPlanning& planning, const Session& session, GoToGoal goal, model::MpcOptions options,
       model::GoalTolerance tolerance = {});

  // True once the goal pose is reached (when known) or the step budget is spent.
  bool is_done(const Session& session) const;
  std::string outcome(const Session& session) const;
  // Plans when due (slow: call without holding a lock the window waits on), then the action.
  std::vector<float> next_action(const Session& session);
  // After the session stepped with that action.
  void observe(const Session& session, const std::vector<float>& action);

  GoToView view() const;

 private:
  GoToGoal goal_;
  model::GoalTolerance tolerance_;
  model::MpcController controller_;
};

}  // namespace dw::viewer
