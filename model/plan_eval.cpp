#include "model/plan_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "datasets/dataset.h"
#include "nav/random.h"
#include "nav/base/user_error.h"

namespace dw::model {

namespace {

struct PlanTask {
  nav::World world;
  PlanContext context;                  // the C recorded frames up to t, their actions, the pose at t
  Image goal;                           // recorded frame t + k
  nav::Pose goal_pose;
  std::vector<nav::Pose> recorded;      // poses t .. t + k
  ActionSequence recorded_actions;      // actions t .. t + k - 1
};

struct Outcome {
  std::vector<nav::Pose> path;
  double milliseconds = 0.0;
  int plans = 0;
};

bool is_known_model(const std::string& name) {
  return name == "world" || name == "random" || name == "replay";
}

std::vector<data::Episode> usable_episodes(const PlanEvalOptions& options, int context, const ModelInfo& info) {
  const data::Manifest manifest = data::read_manifest(options.data);
  if (manifest.width != info.width || manifest.height != info.height) {
    throw UserError(options.data.string() + ": frames are " + std::to_string(manifest.width) + "x" +
                    std::to_string(manifest.height) + " but the model expects " + std::to_string(info.width) + "x" +
                    std::to_string(info.height));
  }
  if (!manifest.schema.is_navigation() || !info.schema.is_navigation()) {
    throw UserError(options.data.string() + ": eval-plan walks the ground-truth world, so the dataset and the model "
                    "must both take forward, strafe, turn");
  }
  const int longest_k = *std::max_element(options.ks.begin(), options.ks.end());
  std::vector<data::Episode> episodes;
  for (const auto& name : data::split_episodes(manifest, options.split, options.data)) {
    data::Episode episode = data::read_episode(options.data / name);
    const bool is_walkable = !episode.poses.empty() && episode.meta.world_seed.has_value();
    if (is_walkable && static_cast<int>(episode.frames.size()) >= context + longest_k) episodes.push_back(std::move(episode));
  }
  if (episodes.empty()) {
    throw UserError(options.data.string() + ": split '" + options.split + "' has no episode with poses, a world seed "
                    "and at least " + std::to_string(context + longest_k) + " frames");
  }
  return episodes;
}

PlanTask make_task(const data::Episode& episode, int t, int k, int context) {
  const nav::WorldSettings settings = episode.meta.world_settings.value_or(data::world_settings_for(episode.meta.schema));
  PlanTask task{nav::World(*episode.meta.world_seed, settings), {}, episode.frames[static_cast<size_t>(t + k)],
                episode.poses[static_cast<size_t>(t + k)], {}, {}};
  for (int i = t - context + 1; i <= t; ++i) task.context.frames.push_back(episode.frames[static_cast<size_t>(i)]);
  for (int i = t - context + 1; i < t; ++i) task.context.actions.push_back(episode.actions[static_cast<size_t>(i)]);
  task.context.pose = episode.poses[static_cast<size_t>(t)];
  for (int i = t; i <= t + k; ++i) task.recorded.push_back(episode.poses[static_cast<size_t>(i)]);
  for (int i = t; i < t + k; ++i) task.recorded_actions.push_back(episode.actions[static_cast<size_t>(i)]);
  return task;
}

// `count` tasks for horizon k, seeded: an episode, then a start frame with room for C before it.
std::vector<PlanTask> sample_tasks(const std::vector<data::Episode>& episodes, int k, int count, int context,
                                   std::uint64_t seed) {
  nav::Rng rng(nav::mix_seed(seed, static_cast<std::uint64_t>(k)));
  std::vector<PlanTask> tasks;
  for (int n = 0; n < count; ++n) {
    const data::Episode& episode = episodes[static_cast<size_t>(rng.uniform_int(0, static_cast<int>(episodes.size()) - 1))];
    const int t = rng.uniform_int(context - 1, static_cast<int>(episode.frames.size()) - 1 - k);
    tasks.push_back(make_task(episode, t, k, context));
  }
  return tasks;
}

Outcome run_open_loop(const PlanTask& task, const std::string& name, WorldEnvironment& environment, int max_steps,
                      std::uint64_t seed) {
  Outcome outcome;
  outcome.path.push_back(*environment.pose());
  if (name == "replay") {  // every recorded action, without stopping early: it must end on the goal
    for (const auto& action : task.recorded_actions) {
      environment.act(action);
      outcome.path.push_back(*environment.pose());
    }
    return outcome;
  }
  nav::Rng rng(seed);
  for (int i = 0; i < max_steps && !environment.is_at_goal(); ++i) {
    environment.act({rng.uniform(-1.0f, 1.0f), rng.uniform(-1.0f, 1.0f), rng.uniform(-1.0f, 1.0f)});
    outcome.path.push_back(*environment.pose());
  }
  return outcome;
}

Outcome run_task(const PlanTask& task, const std::string& name, Simulator& simulator, FrameSpace& space,
                 const PlanEvalOptions& options, int k, std::uint64_t seed) {
  const ModelInfo& info = simulator.info();
  WorldEnvironment environment(task.world, *task.context.pose, info.width, info.height, task.goal_pose, options.tolerance);
  MpcOptions mpc = options.mpc;
  if (mpc.max_steps <= 0) mpc.max_steps = 2 * k;
  if (name == "random" || name == "replay") return run_open_loop(task, name, environment, mpc.max_steps, seed);
  mpc.planner.seed = seed;
  auto model = name == "world" ? world_planning_model(task.world, info.width, info.height, info.context)
                               : simulator_planning_model(simulator, mpc.planner.seed);
  const MpcResult result =
      run_mpc(*model, space, environment, {space.embed({task.goal}).front()}, task.context, mpc);
  Outcome outcome{result.poses, 0.0, static_cast<int>(result.replannings.size())};
  for (const Replanning& replanning : result.replannings) outcome.milliseconds += replanning.milliseconds;
  return outcome;
}

PlanEvalRow summarise(int k, const std::string& name, const PlanEvalOptions& options, const std::vector<PlanTask>& tasks,
                      const std::vector<Outcome>& outcomes) {
  PlanEvalRow row;
  row.k = k;
  row.model = name;
  row.planner = is_known_model(name) && name != "world" ? "none" : plan_method_name(options.mpc.planner.method);
  row.tasks = static_cast<int>(tasks.size());
  int plans = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const nav::Pose& end = outcomes[i].path.back();
    row.success_rate += is_within(end, tasks[i].goal_pose, options.tolerance);
    row.position_error += position_error(end, tasks[i].goal_pose);
    const PathErrors errors = path_errors(outcomes[i].path, tasks[i].recorded);
    row.ate += errors.ate;
    row.rpe += errors.rpe;
    row.ms_per_plan += outcomes[i].milliseconds;
    plans += outcomes[i].plans;
  }
  const double count = std::max<double>(1.0, static_cast<double>(tasks.size()));
  row.success_rate /= count;
  row.position_error /= count;
  row.ate /= count;
  row.rpe /= count;
  row.ms_per_plan = plans ? row.ms_per_plan / plans : 0.0;
  return row;
}

}  // namespace

void check_plan_eval_options(const PlanEvalOptions& options) {
  if (options.ks.empty()) throw UserError("--k needs at least one horizon");
  for (int k : options.ks) {
    if (k < 1 || k > 1000) throw UserError("--k: " + std::to_string(k) + " is not in 1..1000");
  }
  if (options.tasks < 1) throw UserError("--tasks must be at least 1");
  for (const auto& name : options.baselines) {
    if (!is_known_model(name)) throw UserError("--baselines: '" + name + "' is not one of world, random, replay");
  }
  MpcOptions mpc = options.mpc;
  if (mpc.max_steps <= 0) mpc.max_steps = 1;  // 0 means 2k
  check_mpc_options(mpc);
}

PlanEvalReport evaluate_planning(Simulator& simulator, FrameSpace& space, const PlanEvalOptions& options,
                                 const PlanEvalProgress& progress) {
  check_plan_eval_options(options);
  const int context = simulator.info().context;
  const std::vector<data::Episode> episodes = usable_episodes(options, context, simulator.info());
  std::vector<std::string> models;
  if (options.with_model) models.push_back("dreamwalk");
  models.insert(models.end(), options.baselines.begin(), options.baselines.end());
  PlanEvalReport report;
  report.tasks = options.tasks;
  const int total = options.tasks * static_cast<int>(options.ks.size() * models.size());
  int done = 0;
  for (int k : options.ks) {
    const std::vector<PlanTask> tasks = sample_tasks(episodes, k, options.tasks, context, options.seed);
    for (const auto& name : models) {
      std::vector<Outcome> outcomes;
      for (size_t i = 0; i < tasks.size(); ++i) {
        const std::uint64_t seed = nav::mix_seed(options.mpc.planner.seed, static_cast<std::uint64_t>(k) * 100003u + i);
        outcomes.push_back(run_task(tasks[i], name, simulator, space, options, k, seed));
        if (progress) progress(++done, total);
      }
      report.rows.push_back(summarise(k, name, options, tasks, outcomes));
    }
  }
  return report;
}

std::string plan_eval_json(const PlanEvalReport& report) {
  nlohmann::json results = nlohmann::json::array();
  for (const PlanEvalRow& row : report.rows) {
    results.push_back({{"k", row.k}, {"planner", row.planner}, {"model", row.model}, {"tasks", row.tasks},
                       {"success_rate", row.success_rate}, {"position_error", row.position_error}, {"ate", row.ate},
                       {"rpe", row.rpe}, {"ms_per_plan", row.ms_per_plan}});
  }
  return nlohmann::json{{"tasks", report.tasks}, {"results", results}}.dump(2) + "\n";
}

std::string plan_eval_table(const PlanEvalReport& report) {
  std::string table = fmt::format("{:>4}  {:<10} {:<7} {:>8} {:>9} {:>7} {:>7} {:>10}\n", "k", "model", "planner",
                                  "success", "pos.err", "ATE", "RPE", "ms/plan");
  for (const PlanEvalRow& row : report.rows) {
    table += fmt::format("{:>4}  {:<10} {:<7} {:>7.0f}% {:>9.3f} {:>7.3f} {:>7.3f} {:>10.1f}\n", row.k, row.model,
                         row.planner, 100.0 * row.success_rate, row.position_error, row.ate, row.rpe, row.ms_per_plan);
  }
  return table;
}

}  // namespace dw::model
