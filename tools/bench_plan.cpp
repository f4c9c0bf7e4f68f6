// `dreamwalk bench plan`: milliseconds per replanning (K iterations of N candidates imagined H
// steps, one batch per iteration, plus the cost's embedding) from a world view toward another.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "model/plan_model.h"
#include "model/planner.h"
#include "model/revisit.h"
#include "model/simulator.h"
#include "model/threads.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/plan_flags.h"

namespace dw::tools {

namespace {

struct PlanBenchFlags {
  std::string checkpoint;
  std::string device = "cpu";
  int threads = 1;
  int plans = 5;
  PlanFlags flags;
};

void run_bench_plan(PlanBenchFlags& options) {
  if (options.plans < 1) throw UserError("--plans must be at least 1");
  model::configure_default_threads(options.threads);
  options.flags.resolve();
  const model::PlannerOptions& planner_options = options.flags.mpc.planner;
  model::check_planner_options(planner_options);
  auto simulator = model::Simulator::load(options.checkpoint, options.device);
  simulator->set_view_map(!options.flags.no_view_map);
  const model::ModelInfo& info = simulator->info();
  auto space = model::make_frame_space(options.flags.cost_space, options.checkpoint, options.device);
  const nav::World world = model::revisit_world(info, 1);
  const Image start = model::world_view(world, world.spawn_pose(0), info.width, info.height);
  const Image goal = model::world_view(world, world.spawn_pose(1), info.width, info.height);
  auto planning = model::simulator_planning_model(*simulator);
  model::ImaginedCost cost(*planning, *space, model::goal_cost(space->embed({goal}).front()), false);
  model::Planner planner(planner_options, info.schema.dimension());
  double total_ms = 0.0;
  // One untimed plan first (allocations, first-call costs); each timed one observes a fresh context
  // (the view changes after every executed step), as a replanning in MPC does.
  for (int i = 0; i <= options.plans; ++i) {
    const model::PlanContext context{std::vector<Image>(static_cast<size_t>(info.context), start),
                                     model::ActionSequence(static_cast<size_t>(info.context - 1),
                                                           std::vector<float>(static_cast<size_t>(info.schema.dimension()), 0.01f * static_cast<float>(i))),
                                     {}};
    const auto started = std::chrono::steady_clock::now();
    planner.plan([&](const std::vector<model::ActionSequence>& population) { return cost(context, population); });
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (i > 0) total_ms += ms;
    planner.shift(1);
  }
  nlohmann::json line = {{"bench", "plan"}, {"ms_per_plan", total_ms / options.plans},
                         {"method", model::plan_method_name(planner_options.method)},
                         {"population", planner_options.population}, {"iterations", planner_options.iterations},
                         {"horizon", planner_options.horizon}, {"cost_space", space->name()},
                         {"imagined_frames_per_s", 1000.0 * planner_options.population * planner_options.iterations *
                                                       planner_options.horizon / (total_ms / options.plans)},
                         {"plans", options.plans}, {"threads", options.threads}, {"device", options.device}};
  fmt::print("{}\n", line.dump());
}

}  // namespace

void add_bench_plan(CLI::App& bench) {
  auto options = std::make_shared<PlanBenchFlags>();
  CLI::App* command = bench.add_subcommand("plan", "Milliseconds per replanning (JSON with ms_per_plan)");
  command->add_option("--checkpoint", options->checkpoint, "Run folder or its model.json")->required();
  add_plan_flags(command, options->flags, false);
  command->add_option("--plans", options->plans, "Timed replannings")->capture_default_str();
  command->add_option("--threads", options->threads, "CPU threads")->capture_default_str();
  command->add_option("--device", options->device, "cpu or cuda")->capture_default_str();
  command->callback([options] { run_bench_plan(*options); });
}

}  // namespace dw::tools
