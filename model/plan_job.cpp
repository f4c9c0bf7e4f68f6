#include "model/plan_job.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "datasets/episode.h"
#include "datasets/gif_writer.h"
#include "model/revisit.h"
#include "model/rollout_inputs.h"
#include "nav/base/atomic_file.h"
#include "nav/pose_text.h"
#include "nav/base/user_error.h"

namespace dw::model {

namespace fs = std::filesystem;

namespace {

void check_job(const PlanJob& job, const ModelInfo& info) {
  const int goals = !job.goal_image.empty() + job.goal_pose.has_value() + job.explore;
  if (goals != 1) throw UserError("give exactly one of --goal IMG, --goal-pose X,Y,YAW or --objective explore");
  if (job.out.empty()) throw UserError("--out is required");
  if (fs::exists(job.out) && !(fs::is_directory(job.out) && fs::is_empty(job.out)) && !job.force) {
    throw UserError(job.out.string() + ": already exists; choose another --out or add --force");
  }
  if (job.scale < 1 || job.scale > 16) throw UserError("--scale must be in 1..16");
  check_mpc_options(job.mpc);
  if (!job.start_images.empty()) {
    if (job.goal_image.empty()) throw UserError("--start plans in imagination only, so it needs --goal IMG");
    if (job.start_pose) throw UserError("--start-pose walks the world; it cannot go with --start IMG");
    if (static_cast<int>(job.start_images.size()) > info.context)
      throw UserError("--start: at most " + std::to_string(info.context) + " images for this model");
  } else if (!info.schema.is_navigation()) {
    std::string names;
    for (const auto& name : info.schema.names) names += (names.empty() ? "" : ", ") + name;
    throw UserError(std::string(job.goal_pose ? "--goal-pose" : "planning in the world") + ": this model's actions (" +
                    (names.empty() ? "none" : names) +
                    ") are not forward, strafe, turn; plan to a goal image in imagination with --start IMG");
  }
}

// Real view | the imagined frame planned for this step | goal, one GIF frame per executed step.
std::vector<Image> side_by_side(const MpcResult& result, const Image& goal, int replan_every) {
  std::vector<Image> frames;
  for (size_t i = 0; i < result.frames.size(); ++i) {
    Image imagined = result.frames[i];
    for (const Replanning& replanning : result.replannings) {
      const int offset = static_cast<int>(i) - replanning.step - 1;
      if (offset >= 0 && offset < replan_every && offset < static_cast<int>(replanning.imagined.size()))
        imagined = replanning.imagined[static_cast<size_t>(offset)];
    }
    frames.push_back(tile_images({result.frames[i], imagined, goal}, 3));
  }
  return frames;
}

// The top-down map with the path, and the goal as a small yellow square (+y points up).
Image map_with_goal(const nav::World& world, const std::vector<nav::Pose>& path, const std::optional<nav::Pose>& goal) {
  constexpr int kPixelsPerCell = 8;
  Image map = world.render_map(path, kPixelsPerCell);
  if (!goal) return map;
  const int cx = static_cast<int>(goal->x * kPixelsPerCell);
  const int cy = map.height - 1 - static_cast<int>(goal->y * kPixelsPerCell);
  for (int y = cy - 2; y <= cy + 2; ++y) {
    for (int x = cx - 2; x <= cx + 2; ++x) {
      if (x < 0 || y < 0 || x >= map.width || y >= map.height) continue;
      std::uint8_t* p = map.at(x, y);
      p[0] = 255, p[1] = 220, p[2] = 0;
    }
  }
  return map;
}

std::string trajectory_csv(const MpcResult& result, const data::ActionSchema& schema) {
  std::string csv = "step";
  if (!result.poses.empty()) csv += ",x,y,yaw";
  for (const auto& name : schema.names) csv += "," + name;
  csv += "\n";
  for (size_t i = 0; i < result.frames.size(); ++i) {
    csv += std::to_string(i);
    if (!result.poses.empty()) csv += fmt::format(",{:.5f},{:.5f},{:.5f}", result.poses[i].x, result.poses[i].y, result.poses[i].yaw);
    for (int d = 0; d < schema.dimension(); ++d)
      csv += i < result.actions.size() ? fmt::format(",{:.5f}", result.actions[i][static_cast<size_t>(d)]) : ",";
    csv += "\n";
  }
  return csv;
}

nlohmann::json pose_json(const nav::Pose& pose) { return {pose.x, pose.y, pose.yaw}; }

nlohmann::json plan_json(const PlanJob& job, const MpcResult& result, const PlanSummary& summary) {
  nlohmann::json json;
  json["in_world"] = summary.in_world;
  json["success"] = summary.has_goal_pose ? nlohmann::json(summary.success) : nlohmann::json(nullptr);
  json["reached_goal"] = result.reached_goal;
  json["steps"] = summary.steps;
  json["objective"] = job.explore ? "explore" : "goal";
  json["cost_space"] = job.cost_space;
  json["method"] = plan_method_name(job.mpc.planner.method);
  const PlannerOptions& planner = job.mpc.planner;
  json["planner"] = {{"horizon", planner.horizon}, {"population", planner.population}, {"elites", planner.elites},
                     {"iterations", planner.iterations}, {"replan_every", job.mpc.replan_every},
                     {"max_steps", job.mpc.max_steps}, {"seed", planner.seed}};
  if (summary.in_world) {
    json["world_seed"] = job.world_seed;
    json["start_pose"] = pose_json(result.poses.front());
    json["final_pose"] = pose_json(result.poses.back());
  }
  if (summary.has_goal_pose) {
    json["goal_pose"] = pose_json(*job.goal_pose);
    json["position_error"] = summary.position_error;
    json["heading_error"] = summary.heading_error;
    json["tolerance"] = {{"position", job.tolerance.position}, {"heading", job.tolerance.heading}};
  }
  nlohmann::json replannings = nlohmann::json::array();
  for (const Replanning& replanning : result.replannings) {
    replannings.push_back({{"step", replanning.step}, {"ms", replanning.milliseconds},
                           {"cost_per_iteration", replanning.cost_per_iteration}});
  }
  json["replannings"] = replannings;
  json["ms_per_plan"] = summary.mean_ms_per_plan;
  return json;
}

}  // namespace

namespace {

struct PlanRun {
  MpcResult result;
  Image goal_view;  // shown in the GIF's third column (black when exploring)
  std::optional<nav::World> world;
};

PlanRun plan_in_world(Simulator& simulator, FrameSpace& space, const PlanJob& job, const MpcProgress& progress) {
  const ModelInfo& info = simulator.info();
  PlanRun run;
  run.world = revisit_world(info, job.world_seed);
  const nav::World& world = *run.world;
  const nav::Pose start = job.start_pose.value_or(world.spawn_pose(job.mpc.planner.seed));
  nav::require_free_pose(world, start, "--start-pose");
  if (job.goal_pose) nav::require_free_pose(world, *job.goal_pose, "--goal-pose");
  run.goal_view = job.goal_pose ? world_view(world, *job.goal_pose, info.width, info.height)
                  : job.explore ? Image(info.width, info.height)
                                : load_model_image(job.goal_image, info);
  WorldEnvironment environment(world, start, info.width, info.height, job.goal_pose, job.tolerance);
  // Standing still for the model's context, as every world walk starts (zero actions between).
  const PlanContext context{std::vector<Image>(static_cast<size_t>(info.context), environment.view()),
                            ActionSequence(static_cast<size_t>(info.context - 1), std::vector<float>(3, 0.0f)), start};
  MpcGoal goal;
  if (!job.explore) goal.goal = space.embed({run.goal_view}).front();
  auto model = simulator_planning_model(simulator, job.mpc.planner.seed);
  run.result = run_mpc(*model, space, environment, goal, context, job.mpc, progress);
  return run;
}

// No world: one plan from the start images, and its imagined frames are the path.
PlanRun plan_in_imagination(Simulator& simulator, FrameSpace& space, const PlanJob& job) {
  const ModelInfo& info = simulator.info();
  PlanRun run;
  PlanContext context;
  for (const auto& path : job.start_images) context.frames.push_back(load_model_image(path, info));
  context.actions.assign(context.frames.size() - 1, std::vector<float>(static_cast<size_t>(info.schema.dimension()), 0.0f));
  run.goal_view = load_model_image(job.goal_image, info);
  auto model = simulator_planning_model(simulator, job.mpc.planner.seed);
  const MpcGoal goal{space.embed({run.goal_view}).front()};
  ImaginedCost cost(*model, space, mpc_cost(goal, job.mpc, nullptr), needs_all_frames(goal, job.mpc));
  Planner planner(job.mpc.planner, info.schema.dimension());
  const auto started = std::chrono::steady_clock::now();
  const PlanResult plan = planner.plan([&](const std::vector<ActionSequence>& population) { return cost(context, population); });
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  run.result.frames.push_back(context.frames.back());
  run.result.frames.insert(run.result.frames.end(), cost.best_frames().begin(), cost.best_frames().end());
  run.result.actions = plan.actions;
  run.result.replannings.push_back({0, ms, plan.cost_per_iteration, plan.actions, cost.best_frames()});
  return run;
}

void write_outputs(const fs::path& dir, const PlanJob& job, const PlanRun& run, const ModelInfo& info,
                   PlanSummary& summary) {
  fs::create_directories(dir / "frames");
  for (size_t i = 0; i < run.result.frames.size(); ++i) save_png(run.result.frames[i], dir / "frames" / data::frame_file_name(static_cast<int>(i)));
  write_file_atomically(dir / "trajectory.csv", trajectory_csv(run.result, info.schema));
  // Imagination only: the "real" column is the imagined path itself, so the plan column repeats it.
  const int shown = summary.in_world ? job.mpc.replan_every : job.mpc.planner.horizon;
  data::write_gif(side_by_side(run.result, run.goal_view, shown), dir / "plan.gif", 15, job.scale);
  save_png(run.goal_view, dir / "goal.png");
  summary.files = {"frames/", "trajectory.csv", "plan.gif", "goal.png"};
  if (run.world) {
    save_png(map_with_goal(*run.world, run.result.poses, job.goal_pose), dir / "map.png");
    summary.files.push_back("map.png");
  }
  write_file_atomically(dir / "plan.json", plan_json(job, run.result, summary).dump(2) + "\n");
  summary.files.push_back("plan.json");
}

}  // namespace

PlanSummary run_plan_job(Simulator& simulator, const PlanJob& job, const MpcProgress& progress) {
  const ModelInfo& info = simulator.info();
  check_job(job, info);
  auto space = make_frame_space(job.cost_space, job.checkpoint, job.device);
  PlanSummary summary;
  summary.in_world = job.start_images.empty();
  const PlanRun run = summary.in_world ? plan_in_world(simulator, *space, job, progress)
                                       : plan_in_imagination(simulator, *space, job);
  summary.steps = static_cast<int>(run.result.actions.size());
  summary.replannings = static_cast<int>(run.result.replannings.size());
  for (const Replanning& replanning : run.result.replannings) summary.mean_ms_per_plan += replanning.milliseconds;
  if (summary.replannings) summary.mean_ms_per_plan /= summary.replannings;
  if (summary.in_world && job.goal_pose) {
    summary.has_goal_pose = true;
    summary.position_error = position_error(run.result.poses.back(), *job.goal_pose);
    summary.heading_error = heading_error(run.result.poses.back(), *job.goal_pose);
    summary.success = is_within(run.result.poses.back(), *job.goal_pose, job.tolerance);
  }
  write_folder_atomically(job.out, [&](const fs::path& building) { write_outputs(building, job, run, info, summary); });
  return summary;
}

}  // namespace dw::model
