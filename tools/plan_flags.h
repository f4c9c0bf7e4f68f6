// Planner flags shared by `dreamwalk plan`, `eval-plan` and `bench plan`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "model/mpc.h"
#include "model/plan_world.h"

namespace dw::tools {

struct PlanFlags {
  model::MpcOptions mpc = model::default_mpc_options();
  std::string method = "cem";
  std::string cost_space = model::kDefaultCostSpace;
  model::GoalTolerance tolerance;
  bool no_view_map = false;  // plan without the run's view map (model/view_map.h)
  bool no_keep_elites = false;
  // Turns the method name and the flags into the options (UserError for an unknown method).
  void resolve() {
    mpc.planner.method = model::parse_plan_method(method);
    mpc.planner.keep_elites = !no_keep_elites;
  }
};

// --horizon --population --elites --iterations --method --no-keep-elites --momentum --std --min-std --temperature
// --seed --replan-every --smoothness --all-frames-weight --cost-space --position-tolerance
// --heading-tolerance --no-view-map (and --max-steps when `with_max_steps`).
void add_plan_flags(CLI::App* command, PlanFlags& flags, bool with_max_steps = true);

}  // namespace dw::tools
