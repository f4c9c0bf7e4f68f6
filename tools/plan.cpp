// `dreamwalk plan`: plan in imagination toward a goal (image, pose or explore), execute it in the
// ground-truth world by MPC, and write the trajectory, a GIF, the map and plan.json.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "model/plan_job.h"
#include "model/simulator.h"
#include "model/threads.h"
#include "nav/pose_text.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/plan_flags.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

struct PlanCommandOptions {
  std::string checkpoint;
  std::string start_pose;
  std::vector<std::string> start_images;
  std::string goal;
  std::string goal_pose;
  std::string objective = "goal";
  int threads = 0;
  PlanFlags flags;
  model::PlanJob job;
};

void run_plan(PlanCommandOptions& options) {
  model::configure_default_threads(options.threads);
  model::PlanJob& job = options.job;
  options.flags.resolve();
  job.mpc = options.flags.mpc;
  job.cost_space = options.flags.cost_space;
  job.tolerance = options.flags.tolerance;
  job.checkpoint = options.checkpoint;
  if (options.objective != "goal" && options.objective != "explore")
    throw UserError("--objective: '" + options.objective + "' is not one of goal, explore");
  job.explore = options.objective == "explore";
  job.goal_image = options.goal;
  if (!options.goal_pose.empty()) job.goal_pose = nav::parse_pose(options.goal_pose, "--goal-pose");
  if (!options.start_pose.empty()) job.start_pose = nav::parse_pose(options.start_pose, "--start-pose");
  for (const auto& image : options.start_images) job.start_images.emplace_back(image);
  auto simulator = model::Simulator::load(options.checkpoint, job.device);
  simulator->set_view_map(!options.flags.no_view_map);
  ProgressLine progress("plan", job.mpc.max_steps, "steps");
  const model::PlanSummary summary = model::run_plan_job(*simulator, job, [&](int step, int) { progress.update(step); });
  progress.finish();
  fmt::print("{} steps, {} replannings, {:.0f} ms per plan -> {}/\n", summary.steps, summary.replannings,
             summary.mean_ms_per_plan, job.out.string());
  if (summary.has_goal_pose) {
    fmt::print("{}: final position error {:.3f} cells, heading error {:.3f} rad\n",
               summary.success ? "success" : "failure", summary.position_error, summary.heading_error);
  }
  for (const auto& file : summary.files) fmt::print("  {}\n", file);
}

}  // namespace

void add_plan_command(CLI::App& app) {
  auto options = std::make_shared<PlanCommandOptions>();
  model::PlanJob& job = options->job;
  CLI::App* command = app.add_subcommand("plan", "Plan in imagination toward a goal and execute it in the world");
  command->add_option("--checkpoint", options->checkpoint, "Run folder or its model.json")->required();
  command->add_option("--world-seed", job.world_seed, "Ground-truth world the plan is executed in")->capture_default_str();
  command->add_option("--start-pose", options->start_pose, "X,Y,YAW start (default: a spawn pose for --seed)");
  command->add_option("--start", options->start_images, "Start image(s), comma separated: imagination only, no world")
      ->delimiter(',');
  command->add_option("--goal", options->goal, "Goal image (other sizes are resized with a warning)");
  command->add_option("--goal-pose", options->goal_pose, "X,Y,YAW: the goal is the world's view there");
  command->add_option("--objective", options->objective, "goal, or explore (no goal: seek unseen views)")->capture_default_str();
  add_plan_flags(command, options->flags);
  command->add_option("--out", job.out, "Output folder (written atomically)")->required();
  command->add_flag("--force", job.force, "Replace an existing --out folder");
  command->add_option("--scale", job.scale, "Upsample the GIF by this factor")->capture_default_str();
  command->add_option("--device", job.device, "cpu or cuda")->capture_default_str();
  command->add_option("--threads", options->threads, "CPU threads (0 = measured default)")->capture_default_str();
  command->callback([options] { run_plan(*options); });
}

}  // namespace dw::tools
