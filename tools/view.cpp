// `dreamwalk view`: open the interactive viewer on a trained model (see viewer/app.h). Thin:
// parse flags, load the simulator, run the viewer, print the --bench JSON.
#include <fmt/format.h>

#include <memory>
#include <tuple>
#include <string>
#include <vector>

#include "model/mpc.h"
#include "model/plan_model.h"
#include "model/simulator.h"
#include "model/threads.h"
#include "nav/base/user_error.h"
#include "nav/pose_text.h"
#include "tools/commands.h"
#include "viewer/app.h"

namespace dw::tools {
namespace {

struct ViewFlags {
  std::string checkpoint;
  std::string config;
  std::string start;
  std::optional<std::uint64_t> world_seed;
  std::string script;
  std::vector<std::string> screenshots;
  std::string replay;
  int bench = 0;
  int gpu = -1;
  std::optional<int> quit_at;
  double tick_rate = 20.0;
  std::uint64_t seed = 0;
  float temperature = 0.0f;
  std::string device = "cpu";
  std::string out_dir = ".";
  std::string window = "800x500";
  bool no_vsync = false;
  bool validate = false;
  bool no_memory = false;
  bool no_view_map = false;
  bool no_start_room = false;
  std::string goal;
  std::string goal_pose;
  std::string cost_space = model::kDefaultCostSpace;
};

// "STEP:FILE" -> (STEP, FILE)
std::pair<int, std::string> parse_screenshot(const std::string& text) {
  const size_t colon = text.find(':');
  size_t used = 0;
  int step = -1;
  try {
    if (colon != std::string::npos) step = std::stoi(text.substr(0, colon), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (colon == std::string::npos || used != colon || step < 0 || colon + 1 == text.size()) {
    throw UserError("--screenshot-at expects STEP:FILE (e.g. 20:shot.png), got '" + text + "'");
  }
  return {step, text.substr(colon + 1)};
}

void run_view(const ViewFlags& flags) {
  if (flags.bench < 0) throw UserError("--bench must be a number of frames > 0");
  if (flags.tick_rate <= 0.0 || flags.tick_rate > 1000.0) throw UserError("--tick-rate must be in (0, 1000]");
  viewer::ViewerOptions options;
  if (!flags.start.empty()) options.start_image = flags.start;
  options.world_seed = flags.world_seed;
  if (!flags.script.empty()) options.script = flags.script;
  for (const auto& text : flags.screenshots) options.screenshots.insert(parse_screenshot(text));
  if (!flags.replay.empty()) options.replay = flags.replay;
  options.quit_step = flags.quit_at;
  options.bench_frames = flags.bench;
  options.gpu = flags.gpu;
  options.tick_rate = flags.tick_rate;
  options.seed = flags.seed;
  options.temperature = flags.temperature;
  options.vsync = !flags.no_vsync;
  std::tie(options.width, options.height) = viewer::parse_window_size(flags.window);
  if (flags.validate) options.validation = render::Validation::required;
  options.output_dir = flags.out_dir;
  options.checkpoint = flags.checkpoint;
  options.device = flags.device;
  options.cost_space = flags.cost_space;
  model::check_cost_space(flags.cost_space);
  if (!flags.goal.empty()) options.goal_image = flags.goal;
  if (!flags.goal_pose.empty()) options.goal_pose = nav::parse_pose(flags.goal_pose, "--goal-pose");

  if (flags.checkpoint.empty() == flags.config.empty()) {
    throw UserError("give --checkpoint RUN (a trained model) or --config FILE (an untrained one, for --bench)");
  }
  // One inference thread: the other core draws the window (lavapipe renders on the CPU too).
  model::configure_threads(1, 1);
  const std::unique_ptr<model::Simulator> simulator =
      flags.checkpoint.empty()
          ? model::Simulator::untrained(flags.config, data::ActionSchema::navigation(nav::ActionLimits{}),
                                        flags.device, flags.seed)
          : model::Simulator::load(flags.checkpoint, flags.device);
  model::set_memories(*simulator, flags.no_memory, flags.no_view_map, flags.no_start_room);
  const viewer::ViewerReport report = viewer::run_viewer(*simulator, options);
  if (flags.bench > 0) {
    fmt::print("{}\n", viewer::bench_json(report));
  } else if (!options.screenshots.empty() || options.script || options.replay || options.quit_step) {
    fmt::print("viewer: {} steps shown{}\n", report.steps,
               report.validation_messages ? fmt::format(", {} validation messages", report.validation_messages) : "");
  }
  if (report.validation_messages > 0 && flags.validate) {
    throw std::runtime_error(fmt::format("{} Vulkan validation messages", report.validation_messages));
  }
}

}  // namespace

void add_view_command(CLI::App& app) {
  auto flags = std::make_shared<ViewFlags>();
  CLI::App* view = app.add_subcommand(
      "view", "Walk through a trained model's dream with the keyboard (W/S, A/D, Q/E or Left/Right; F1 help)");
  view->add_option("--checkpoint", flags->checkpoint, "Run folder (or its model.json)");
  view->add_option("--config", flags->config,
                   "Instead of --checkpoint: an untrained model of this config (e.g. to --bench before training)");
  auto* start = view->add_option("--start", flags->start, "Start from this image (resized to the model)");
  view->add_option("--world-seed", flags->world_seed, "Start in this nav world; shows ground truth beside the dream")
      ->excludes(start);
  view->add_option("--script", flags->script,
                   "Timed key events, one per line: 'STEP KEY down|up' or 'STEP quit' ('#' comments); KEY is A-Z, 0-9, "
                   "Left, Right, Up, Down, Space, Tab, Escape, Enter, F1, Shift or Control (any case); without quit "
                   "the run ends at the last event");
  view->add_option("--screenshot-at", flags->screenshots, "STEP:FILE: save the window when STEP is shown (repeatable); the run steps by itself and ends "
                   "after the last one");
  view->add_option("--replay", flags->replay, "Replay a walk saved from the viewer (same model required)");
  view->add_option("--quit-at", flags->quit_at, "Step by itself (no key held) and close once this step is shown");
  view->add_option("--bench", flags->bench, "Draw N frames with held keys, print one JSON object of speed figures");
  view->add_option("--gpu", flags->gpu, "Vulkan device index (default: prefer a discrete GPU)");
  view->add_option("--tick-rate", flags->tick_rate, "Model steps per second: while a key is held, or on every tick with no key held in a "
                   "scripted run (--script, --quit-at, --screenshot-at)")->capture_default_str();
  view->add_option("--seed", flags->seed, "Sampling seed")->capture_default_str();
  view->add_option("--temperature", flags->temperature, "0 = mean rollout, 1 = sample from the prior")
      ->capture_default_str();
  view->add_option("--device", flags->device, "Model device: cpu or cuda")->capture_default_str();
  view->add_option("--out-dir", flags->out_dir, "Where P screenshots, recordings and saved walks go")
      ->capture_default_str();
  view->add_option("--window", flags->window, "Window size WIDTHxHEIGHT")->capture_default_str();
  view->add_flag("--no-vsync", flags->no_vsync, "Present without waiting for vertical blank");
  view->add_flag("--validate", flags->validate, "Enable Vulkan validation layers; any message fails the run");
  view->add_flag("--no-memory", flags->no_memory,
                 "Dream with the model alone: without the place memory (which shows a pose already visited as "
                 "it was seen), the walls the start frames showed and the view map");
  view->add_flag("--no-view-map", flags->no_view_map,
                 "Dream without the run's view map (views of the training walks recalled by pose)");
  view->add_flag("--no-start-room", flags->no_start_room,
                 "Dream without the start room (in a world the view map does not know, the room the start frames "
                 "showed, drawn from where the walk stands)");
  view->add_option("--goal", flags->goal,
                   "Go to this image from the first tick: plan in imagination and walk there (the Go to panel; Esc stops)");
  view->add_option("--goal-pose", flags->goal_pose, "Go to the view at X,Y,YAW of the --world-seed world from the first tick");
  view->add_option("--cost-space", flags->cost_space, "Go to compares frames in: layout (8x8 area averages), embedding (the encoder's features) or pixels")
      ->capture_default_str();
  view->callback([flags] { run_view(*flags); });
}

}  // namespace dw::tools
