// `dreamwalk eval-plan`: goal-image navigation tasks from held-out trajectories, planned in
// imagination and executed in the ground-truth world, with the world-as-model, random and replay
// baselines in the same table; optional JSON.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "model/plan_eval.h"
#include "model/simulator.h"
#include "model/threads.h"
#include "nav/base/atomic_file.h"
#include "tools/commands.h"
#include "tools/plan_flags.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

struct EvalPlanCommandOptions {
  std::string checkpoint;
  std::string device = "cpu";
  std::string json;
  int threads = 0;
  bool skip_model = false;
  PlanFlags flags;
  model::PlanEvalOptions eval;
};

void run_eval_plan(EvalPlanCommandOptions& options) {
  model::configure_default_threads(options.threads);
  options.flags.resolve();
  model::PlanEvalOptions& eval = options.eval;
  eval.mpc = options.flags.mpc;
  eval.tolerance = options.flags.tolerance;
  eval.with_model = !options.skip_model;
  model::check_plan_eval_options(eval);
  auto simulator = model::Simulator::load(options.checkpoint, options.device);
  simulator->set_view_map(!options.flags.no_view_map);
  auto space = model::make_frame_space(options.flags.cost_space, options.checkpoint, options.device);
  const auto runs = static_cast<std::int64_t>(eval.tasks * eval.ks.size() * (eval.baselines.size() + eval.with_model));
  ProgressLine progress("eval-plan", runs, "task runs");
  const model::PlanEvalReport report =
      model::evaluate_planning(*simulator, *space, eval, [&](int done, int) { progress.update(done); });
  progress.finish();
  fmt::print("{}", model::plan_eval_table(report));
  if (!options.json.empty()) write_file_atomically(options.json, model::plan_eval_json(report));
}

}  // namespace

void add_eval_plan_command(CLI::App& app) {
  auto options = std::make_shared<EvalPlanCommandOptions>();
  model::PlanEvalOptions& eval = options->eval;
  eval.mpc.max_steps = 0;
  CLI::App* command = app.add_subcommand("eval-plan", "Goal-image navigation by planning in imagination, scored in the world");
  command->add_option("--checkpoint", options->checkpoint, "Run folder or its model.json")->required();
  command->add_option("--data", eval.data, "Dataset folder (episodes with poses)")->required();
  command->add_option("--split", eval.split, "test or test_unseen (any split works)")->capture_default_str();
  command->add_option("--k", eval.ks, "Goal offsets in steps, comma separated")->delimiter(',')->capture_default_str();
  command->add_option("--tasks", eval.tasks, "Tasks per k")->capture_default_str();
  command->add_option("--task-seed", eval.seed, "Seed choosing the tasks")->capture_default_str();
  command->add_option("--baselines", eval.baselines, "Any of world, random, replay (comma separated)")
      ->delimiter(',')->capture_default_str();
  command->add_flag("--skip-model", options->skip_model, "Run the baselines only");
  add_plan_flags(command, options->flags);
  command->add_option("--json", options->json, "Write the results as JSON here");
  command->add_option("--device", options->device, "cpu or cuda")->capture_default_str();
  command->add_option("--threads", options->threads, "CPU threads (0 = measured default)")->capture_default_str();
  command->callback([options] { run_eval_plan(*options); });
}

}  // namespace dw::tools
