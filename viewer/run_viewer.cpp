// run_viewer(): turns ViewerOptions into the walk's start, seed and stepper settings (a replayed
// walk brings its own), runs the App, and formats the --bench JSON.
#include <algorithm>
#include <cstdio>

#include "model/plan_model.h"
#include "model/revisit.h"
#include "model/rollout_inputs.h"
#include "nav/base/user_error.h"
#include "nav/pose_text.h"
#include "viewer/app.h"
#include "viewer/session.h"
#include "viewer/stepper.h"

namespace dw::viewer {

// Defined in app.cpp; kept out of the header so the header stays free of GLFW/ImGui/Vulkan objects.
ViewerReport run_app(model::Simulator& simulator, const ViewerOptions& options, const WalkStart& start,
                     StepperSettings settings, std::uint64_t seed, float temperature);

namespace {

WalkStart start_from_options(const ViewerOptions& options, const model::ModelInfo& info) {
  if (options.start_image && options.world_seed) {
    throw UserError("give either --start or --world-seed, not both");
  }
  if (options.start_image) return WalkStart{std::nullopt, load_image(*options.start_image)};
  if (options.world_seed) return WalkStart{options.world_seed, {}};
  if (info.schema.is_navigation()) return WalkStart{1, {}};
  throw UserError("this model is not driven by navigation actions, so give a start frame with --start IMAGE");
}

// A run given --script, --quit-at or --screenshot-at drives itself, so it also ends by itself
// (under Xvfb nobody holds a key or closes the window): it steps on every tick with no key held
// and stops at --quit-at, else the script's quit, else its last event or screenshot, whichever
// is later.
void make_self_driving(StepperSettings& settings) {
  const bool is_scripted = settings.script || settings.quit_step || !settings.screenshots.empty();
  if (!is_scripted) return;
  settings.steps_when_idle = true;
  if (settings.quit_step) return;
  int last = 0;
  if (settings.script && !settings.script->events().empty()) last = settings.script->events().back().step;
  if (!settings.screenshots.empty()) last = std::max(last, settings.screenshots.rbegin()->first);
  settings.quit_step = last;
}

// Go to plans with the viewer's own simulator (the session steps from its saved state, so the
// populations the planner imagines in between do not disturb the walk) and, by default, the
// checkpoint's encoder as the cost's space.
GoToPlanningFactory go_to_planning(model::Simulator& simulator, const ViewerOptions& options) {
  return [&simulator, options] {
    GoToPlanning planning;
    planning.model = model::simulator_planning_model(simulator, options.seed);
    planning.space = options.checkpoint.empty()
                         ? model::pixel_space()
                         : model::make_frame_space(options.cost_space, options.checkpoint, options.device);
    return planning;
  };
}

// --goal IMAGE or --goal-pose X,Y,YAW: Go to from the first tick.
std::optional<GoToGoal> goal_at_start(const ViewerOptions& options, const WalkStart& start,
                                      const model::ModelInfo& info) {
  if (options.goal_image && options.goal_pose) throw UserError("give either --goal or --goal-pose, not both");
  if (options.goal_image) {
    return GoToGoal{model::load_model_image(*options.goal_image, info), std::nullopt, options.goal_image->string()};
  }
  if (!options.goal_pose) return std::nullopt;
  if (!start.world_seed) throw UserError("--goal-pose needs a walk in a world (--world-seed), not a start image");
  const nav::World world = model::revisit_world(info, *start.world_seed);  // UserError for a non-navigation model
  nav::require_free_pose(world, *options.goal_pose, "--goal-pose");
  const nav::Pose& goal = *options.goal_pose;
  char source[96];
  std::snprintf(source, sizeof(source), "pose %.2f,%.2f,%.2f", goal.x, goal.y, goal.yaw);
  return GoToGoal{model::world_view(world, goal, info.width, info.height), goal, source};
}

}  // namespace

std::pair<int, int> parse_window_size(const std::string& text) {
  int width = 0;
  int height = 0;
  char separator = 0;
  char extra = 0;
  const int parsed = std::sscanf(text.c_str(), "%d%c%d%c", &width, &separator, &height, &extra);
  if (parsed != 3 || separator != 'x' || width < 320 || height < 240 || width > 8192 || height > 8192) {
    throw UserError("--window expects WIDTHxHEIGHT from 320x240 to 8192x8192 (e.g. 1600x1000), got '" + text + "'");
  }
  return {width, height};
}

ViewerReport run_viewer(model::Simulator& simulator, const ViewerOptions& options) {
  const model::ModelInfo& info = simulator.info();
  StepperSettings settings;
  settings.tick_rate = options.tick_rate;
  settings.screenshots = options.screenshots;
  settings.quit_step = options.quit_step;
  if (options.script) {
    settings.script = Script::load(*options.script);
    if (!settings.quit_step) settings.quit_step = settings.script->quit_step();
  }
  make_self_driving(settings);
  WalkStart start;
  std::uint64_t seed = options.seed;
  float temperature = options.temperature;
  if (options.replay) {
    if (options.start_image || options.world_seed) {
      throw UserError("--replay brings its own start; drop --start / --world-seed");
    }
    Walk walk = load_walk(*options.replay);
    if (walk.model_hash != info.weights_hash) {
      throw UserError(options.replay->string() + " was walked with model " + walk.model_hash +
                      ", but this checkpoint is " + info.weights_hash + "; replay needs the same model");
    }
    if (!walk.actions.empty() && static_cast<int>(walk.actions.front().size()) != info.schema.dimension()) {
      throw UserError(options.replay->string() + ": actions do not match the model's action dimension");
    }
    start = walk.start;
    seed = walk.seed;
    temperature = walk.temperature;
    settings.replay = std::move(walk.actions);
  } else {
    start = start_from_options(options, info);
  }
  settings.make_go_to_planning = go_to_planning(simulator, options);
  settings.go_to_at_start = goal_at_start(options, start, info);
  return run_app(simulator, options, start, std::move(settings), seed, temperature);
}

std::string bench_json(const ViewerReport& report) {
  const BenchFigures& b = report.bench;
  char text[512];
  std::snprintf(text, sizeof(text),
                "{\"display_fps\": %.1f, \"ticks_per_s\": %.1f, \"key_to_frame_ms\": %.1f, "
                "\"key_to_frame_p95_ms\": %.1f, \"inference_ms\": %.2f, \"frames\": %d, \"key_presses\": %d, "
                "\"gpu\": \"%s\"}",
                b.display_fps, b.ticks_per_s, b.key_to_frame_ms, b.key_to_frame_p95_ms, b.inference_ms, b.frames,
                b.key_presses, report.gpu.c_str());
  return text;
}

}  // namespace dw::viewer
