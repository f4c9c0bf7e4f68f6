// The viewer application: opens the window, walks through the model's dream with the keyboard
// (or a script, or a saved walk), and reports what it showed — for `dreamwalk view`, its tests
// and its --bench figures. Everything interactive lives behind run_viewer().
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/simulator.h"
#include "nav/pose.h"
#include "render/context.h"
#include "render/quad.h"
#include "viewer/walk.h"

namespace dw::viewer {

struct ViewerOptions {
  std::optional<std::uint64_t> world_seed;           // start in this world (ground truth on)
  std::optional<std::filesystem::path> start_image;  // or from this image
  std::optional<std::filesystem::path> script;       // see script.h for the format
  std::map<int, std::filesystem::path> screenshots;  // --screenshot-at STEP:FILE
  std::optional<std::filesystem::path> replay;       // a saved walk to replay exactly
  std::optional<int> quit_step;                      // close once this step is shown
  int bench_frames = 0;                              // > 0: --bench N
  int gpu = -1;
  double tick_rate = 20.0;
  std::uint64_t seed = 0;
  float temperature = 0.0f;
  int width = 800;   // small enough that software Vulkan under Xvfb keeps 60 display FPS
  int height = 500;
  bool vsync = true;
  render::Validation validation = render::ContextOptions{}.validation;
  std::filesystem::path output_dir = ".";            // P screenshots, recordings, saved walks
  // Go to: the checkpoint its embedding cost loads the encoder of (empty: an untrained model, which
  // plans in pixels), and a goal to walk to from the first tick (--goal / --goal-pose).
  std::filesystem::path checkpoint;
  std::string device = "cpu";
  std::string cost_space = "layout";  // model::kDefaultCostSpace (this header stays free of model/mpc.h)
  std::optional<std::filesystem::path> goal_image;
  std::optional<nav::Pose> goal_pose;
};

struct BenchFigures {
  int frames = 0;
  double display_fps = 0.0;
  double ticks_per_s = 0.0;
  double key_to_frame_ms = 0.0;      // mean over the key presses of the run
  double key_to_frame_p95_ms = 0.0;
  double inference_ms = 0.0;
  int key_presses = 0;
};

struct ViewerReport {
  long long steps = 0;
  int validation_messages = 0;
  std::string gpu;
  std::map<int, Image> shown_dream;        // the dream image uploaded at each screenshot step
  std::map<int, render::Rect> dream_rect;  // and where it was on screen (framebuffer pixels)
  std::vector<Image> timeline;             // the dream frames of the final timeline
  Walk walk;                               // the walk as it stood at exit
  BenchFigures bench;
};

// Runs until the window closes (or the script/--quit step, or the bench, ends). Throws UserError
// for bad input and for a missing display or Vulkan device (pointing to `dreamwalk rollout`).
ViewerReport run_viewer(model::Simulator& simulator, const ViewerOptions& options);

// --window "WIDTHxHEIGHT" -> {width, height}; UserError unless both are numbers in 320x240..8192x8192.
std::pair<int, int> parse_window_size(const std::string& text);

// The --bench result as one JSON object.
std::string bench_json(const ViewerReport& report);

}  // namespace dw::viewer
