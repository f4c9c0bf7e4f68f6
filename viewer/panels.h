// The viewer's ImGui panels: the dream (large), ground truth with PSNR and error heatmap, the
// top-down map, and the controls (walk timeline, sampling, recording, stats, model info, help).
// Panels only read state and leave requests: the app and the stepper act on them.
#pragma once

#include <optional>

#include <string>

#include "render/texture.h"
#include "viewer/gui.h"
#include "viewer/key_bindings.h"
#include "viewer/stepper.h"

namespace dw::viewer {

struct UiState {
  bool shows_truth = true;
  bool shows_help = false;
  bool is_bilinear = false;
  bool is_sampling = false;  // false: mean rollout (temperature 0)
  float temperature = 1.0f;
  int record_format = 0;     // 0 GIF, 1 MP4
  int timeline_pick = 0;
  char start_path[512] = "";
  char walk_path[512] = "walk.json";
  char goal_path[512] = "";
  bool drops_set_goal = false;          // a dropped image becomes the Go to goal, not the start
  std::optional<GoToGoal> goal;         // the chosen Go to goal (not started yet, or running)
  std::string message;
  float laid_out_width = 0.0f;  // the window size the panes were last tiled for
  float laid_out_height = 0.0f;
  // Requests for the app, cleared by it.
  bool wants_screenshot = false;
  bool wants_record_toggle = false;
  bool wants_start_load = false;
  bool wants_goal_load = false;         // goal_path
  bool wants_goal_from_frame = false;   // the shown frame (and its pose, with ground truth)
  bool wants_go_to = false;
};

// Where the panes go in a window of the given size: the dream fills the left, ground truth and
// map share the top of the rest, the controls its bottom. Applied at start and whenever the
// window is resized; panes may be moved in between.
struct Layout {
  ImVec2 dream_pos, dream_size, truth_pos, truth_size, map_pos, map_size, controls_pos, controls_size;
};
Layout layout_for(ImVec2 window);

struct PanelTextures {
  const render::Texture* dream = nullptr;
  const render::Texture* truth = nullptr;
  const render::Texture* heatmap = nullptr;
  const render::Texture* map = nullptr;
  const render::Texture* goal = nullptr;
  const render::Texture* plan = nullptr;  // the running plan's imagined frames, side by side
};

// The window thread's view: the session itself belongs to the stepper's worker, so what the panels
// show of it (model info, ground truth) comes through the snapshot.
struct PanelInputs {
  const Snapshot& shown;
  const StepperStats& stats;
  const KeyBindings& bindings;
  double display_fps = 0.0;
  std::optional<double> key_to_frame_ms;  // none until a key press has been answered (never in a script)
  bool is_paused = false;
  bool is_recording = false;
  bool can_record_mp4 = false;
};

// Draws every panel; returns where the dream image is on screen (framebuffer pixels).
render::Rect draw_panels(Gui& gui, const PanelTextures& textures, const PanelInputs& inputs, UiState& ui,
                         Stepper& stepper);

}  // namespace dw::viewer
