#include "tools/plan_flags.h"

namespace dw::tools {

void add_plan_flags(CLI::App* command, PlanFlags& flags, bool with_max_steps) {
  model::PlannerOptions& planner = flags.mpc.planner;
  command->add_option("--horizon", planner.horizon, "Steps imagined per candidate (H)")->capture_default_str();
  command->add_option("--population", planner.population, "Candidates per iteration, one batch (N)")->capture_default_str();
  command->add_option("--elites", planner.elites, "Best candidates that refit CEM's Gaussian (E)")->capture_default_str();
  command->add_option("--iterations", planner.iterations, "Refits per replanning (K)")->capture_default_str();
  command->add_option("--method", flags.method, "cem or mppi")->capture_default_str();
  command->add_flag("--no-keep-elites", flags.no_keep_elites,
                    "CEM: every iteration imagines N new candidates (default: the E elites join the next ranking)");
  command->add_option("--momentum", planner.momentum, "Share of the old mean and std kept at each refit")->capture_default_str();
  command->add_option("--std", planner.initial_std, "Initial std per step and action")->capture_default_str();
  command->add_option("--min-std", planner.min_std, "Floor of the std")->capture_default_str();
  command->add_option("--temperature", planner.temperature, "MPPI softmax temperature, relative to the cost spread")->capture_default_str();
  command->add_option("--noise-correlation", planner.noise_correlation, "Correlation of the sampling noise between steps")->capture_default_str();
  command->add_option("--seed", planner.seed, "Planner seed (same seed, same plan)")->capture_default_str();
  command->add_option("--replan-every", flags.mpc.replan_every, "Actions executed per plan (R)")->capture_default_str();
  if (with_max_steps) command->add_option("--max-steps", flags.mpc.max_steps, "Steps before giving up (M)")->capture_default_str();
  command->add_option("--smoothness", flags.mpc.smoothness, "Weight of the action smoothness penalty")->capture_default_str();
  command->add_option("--all-frames-weight", flags.mpc.all_frames_weight, "Weight of every imagined frame's distance to the goal")->capture_default_str();
  command->add_flag("--nearest-frame", flags.mpc.nearest_frame, "Score the imagined frame nearest the goal, not the last");
  command->add_option("--cost-space", flags.cost_space, "embedding (the model's encoder), pixels, or layout (8x8 area averages)")->capture_default_str();
  command->add_option("--position-tolerance", flags.tolerance.position, "Success radius in cells")->capture_default_str();
  command->add_option("--heading-tolerance", flags.tolerance.heading, "Success heading error in radians")->capture_default_str();
  command->add_flag("--no-view-map", flags.no_view_map, "Plan without the run's view map (views of its training walks)");
}

}  // namespace dw::tools
