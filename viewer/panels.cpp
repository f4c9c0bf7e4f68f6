#include "viewer/panels.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>

namespace dw::viewer {
namespace {

// Image panes skip their background: the image covers it, and under software Vulkan every
// pixel filled twice costs display frames.
constexpr ImGuiWindowFlags kPaneFlags =
    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoBackground;
constexpr float kMargin = 8.0f;

render::Filter filter_of(const UiState& ui) {
  return ui.is_bilinear ? render::Filter::bilinear : render::Filter::nearest;
}

void place(ImVec2 position, ImVec2 size, bool retile) {
  ImGui::SetNextWindowPos(position, retile ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(size, retile ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
}

ImVec2 remaining(float reserve_below) {
  const ImVec2 space = ImGui::GetContentRegionAvail();
  return ImVec2(std::max(0.0f, space.x), std::max(0.0f, space.y - reserve_below));
}

render::Rect draw_dream(Gui& gui, const PanelTextures& textures, const PanelInputs& in, const UiState& ui) {
  ImGui::Begin("Dream", nullptr, kPaneFlags);
  const render::Rect rect = gui.image(textures.dream, filter_of(ui), remaining(ImGui::GetFrameHeightWithSpacing()));
  ImGui::Text("step %d / %d%s", in.shown.step, in.shown.timeline_length - 1, in.is_paused ? "   [paused]" : "");
  ImGui::End();
  return rect;
}

void draw_truth(Gui& gui, const PanelTextures& textures, const PanelInputs& in, const UiState& ui) {
  ImGui::Begin("Ground truth", nullptr, kPaneFlags);
  if (!in.shown.has_truth) {
    ImGui::TextWrapped("No ground truth: this walk started from an image. Start with --world-seed to "
                       "see the real world beside the dream.");
  } else {
    const float half = std::max(0.0f, (ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing()) / 2);
    gui.image(textures.truth, filter_of(ui), ImVec2(ImGui::GetContentRegionAvail().x, half));
    gui.image(textures.heatmap, render::Filter::nearest, ImVec2(ImGui::GetContentRegionAvail().x, half));
    ImGui::Text("PSNR %.2f dB", in.shown.psnr);
  }
  ImGui::End();
}

void draw_map(Gui& gui, const PanelTextures& textures, const PanelInputs& in) {
  ImGui::Begin("Map", nullptr, kPaneFlags);
  if (in.shown.has_truth) {
    gui.image(textures.map, render::Filter::nearest, remaining(0));
  } else {
    ImGui::TextUnformatted("(needs a world)");
  }
  ImGui::End();
}

void draw_walk_controls(const PanelInputs& in, UiState& ui, Stepper& stepper) {
  if (ImGui::Button(in.is_paused ? "Resume" : "Pause")) stepper.toggle_pause();
  ImGui::SameLine();
  if (ImGui::Button("Restart")) stepper.request_restart();
  ImGui::SameLine();
  if (ImGui::Button("Screenshot")) ui.wants_screenshot = true;
  ImGui::SameLine();
  if (ImGui::Button(in.is_recording ? "Stop recording" : "Record")) ui.wants_record_toggle = true;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(70);
  const char* formats[] = {"GIF", "MP4"};
  ImGui::Combo("##format", &ui.record_format, formats, in.can_record_mp4 ? 2 : 1);

  ui.timeline_pick = std::clamp(ui.timeline_pick, 0, in.shown.timeline_length - 1);
  ImGui::SliderInt("timeline", &ui.timeline_pick, 0, in.shown.timeline_length - 1);
  ImGui::SameLine();
  if (ImGui::Button("Go")) stepper.request_rewind(ui.timeline_pick);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show this frame; walking on from it forks the walk");
  ImGui::InputText("##walk", ui.walk_path, sizeof(ui.walk_path));
  ImGui::SameLine();
  if (ImGui::Button("Save walk")) stepper.request_save_walk(ui.walk_path);
  ImGui::InputText("##start", ui.start_path, sizeof(ui.start_path));
  ImGui::SameLine();
  if (ImGui::Button("Load start")) ui.wants_start_load = true;
  ImGui::TextDisabled("(or drop an image on the window)");
}

// Go to: choose a goal (the shown frame, an image file, a dropped image), walk there by planning in
// imagination, watch the plan's imagined frames, Esc stops.
void draw_go_to(Gui& gui, const PanelTextures& textures, const PanelInputs& in, UiState& ui, Stepper& stepper) {
  if (!ImGui::CollapsingHeader("Go to", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const GoToView& going = in.shown.go_to;
  if (ImGui::Button("Goal: this frame")) ui.wants_goal_from_frame = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Walk away with the keys, then Go to comes back here");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(60.0f, ImGui::GetContentRegionAvail().x - 90.0f));
  ImGui::InputText("##goal", ui.goal_path, sizeof(ui.goal_path));
  ImGui::SameLine();
  if (ImGui::Button("Load goal")) ui.wants_goal_load = true;
  ImGui::Checkbox("dropped images set the goal", &ui.drops_set_goal);
  if (!ui.goal) {
    ImGui::TextDisabled("(no goal yet)");
    return;
  }
  const float thumb = 48.0f;
  gui.image(textures.goal, render::Filter::nearest, ImVec2(thumb, thumb));
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::Text("goal: %s%s", ui.goal->source.c_str(), ui.goal->pose ? "" : "  (place unknown: runs its step budget)");
  if (going.is_active) {
    ImGui::Text("step %d / %d   %d plans, last %.0f ms", going.steps, going.max_steps, going.replannings,
                going.last_plan_ms);
    if (ImGui::Button("Stop (Esc)")) stepper.stop_go_to();
  } else if (ImGui::Button("Go to goal")) {
    ui.wants_go_to = true;
  }
  if (!going.is_active && !going.outcome.empty()) ImGui::TextWrapped("last: %s", going.outcome.c_str());
  ImGui::EndGroup();
  if (!going.plan.empty()) {
    const float width = ImGui::GetContentRegionAvail().x;
    const float height = width / static_cast<float>(going.plan.size());
    ImGui::TextDisabled("imagined plan:");
    gui.image(textures.plan, render::Filter::nearest, ImVec2(width, height));
  }
}

void draw_sampling(UiState& ui, Stepper& stepper) {
  bool changed = ImGui::RadioButton("mean", !ui.is_sampling);
  if (changed) ui.is_sampling = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("sample", ui.is_sampling)) {
    ui.is_sampling = true;
    changed = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160);
  changed |= ImGui::SliderFloat("temperature", &ui.temperature, 0.0f, 2.0f, "%.2f") && ui.is_sampling;
  if (changed) stepper.request_temperature(ui.is_sampling ? ui.temperature : 0.0f);
  ImGui::Checkbox("bilinear filtering", &ui.is_bilinear);
}

std::string milliseconds_text(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms", ms);
  return text;
}

void draw_stats(const PanelInputs& in) {
  ImGui::Text("display %.1f FPS   model %.1f ticks/s", in.display_fps, in.stats.ticks_per_s);
  // The default ImGui font has no en dash: "-" marks a figure not measured yet.
  const std::string latency = in.key_to_frame_ms ? milliseconds_text(*in.key_to_frame_ms) : std::string("-");
  ImGui::Text("inference %.1f ms   key->frame %s", in.stats.inference_ms, latency.c_str());
}

void draw_model_info(const PanelInputs& in) {
  assert(in.shown.info);  // every published snapshot carries it
  const model::ModelInfo& info = *in.shown.info;
  // Wrapped: at the default 800x500 window the Controls panel is narrower than this line.
  ImGui::TextWrapped("%s   %lld parameters   %dx%d   context %d", info.config_name.c_str(),
                     static_cast<long long>(info.parameters), info.width, info.height, info.context);
  ImGui::Text("weights %s", info.weights_hash.c_str());
  for (const auto& axis : in.bindings.axes()) {
    std::string keys;
    for (size_t i = 0; i < axis.positive.size(); ++i) keys += (i ? ", " : "") + axis.positive[i] + "/" + axis.negative[i];
    ImGui::BulletText("%s: %s", axis.name.c_str(), keys.empty() ? "(unbound)" : keys.c_str());
  }
  if (!info.config_json.empty() && ImGui::TreeNode("config")) {
    ImGui::TextUnformatted(info.config_json.c_str());
    ImGui::TreePop();
  }
}

void draw_help(const PanelInputs& in, UiState& ui) {
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.5f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::Begin("Help (F1)", &ui.shows_help, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse);
  ImGui::Text("Drive: %s", in.bindings.describe().c_str());
  ImGui::TextUnformatted("R restart   Space pause   P screenshot   Tab ground truth   F1 this help");
  ImGui::TextUnformatted("Ground truth: the real world under the same actions; below it |dream - truth|.");
  ImGui::TextUnformatted("Timeline: pick a frame, Go, then walk on to fork the walk from there.");
  ImGui::TextUnformatted("Go to: pick a goal, Go to goal; the viewer plans in imagination and walks. Esc stops.");
  ImGui::TextUnformatted("Keys reach the model only while no text field has the keyboard.");
  ImGui::End();
}

}  // namespace

Layout layout_for(ImVec2 window) {
  const float m = kMargin;
  const float dream_width = std::floor(window.x * 0.46f);
  const float right_x = dream_width + 2 * m;
  const float right_width = std::max(0.0f, window.x - right_x - m);
  const float top_height = std::floor((window.y - 3 * m) * 0.5f);
  const float half_width = std::floor((right_width - m) * 0.5f);
  Layout l;
  l.dream_pos = {m, m};
  l.dream_size = {dream_width, window.y - 2 * m};
  l.truth_pos = {right_x, m};
  l.truth_size = {half_width, top_height};
  l.map_pos = {right_x + half_width + m, m};
  l.map_size = {right_width - half_width - m, top_height};
  l.controls_pos = {right_x, top_height + 2 * m};
  l.controls_size = {right_width, window.y - top_height - 3 * m};
  return l;
}

render::Rect draw_panels(Gui& gui, const PanelTextures& textures, const PanelInputs& inputs, UiState& ui,
                         Stepper& stepper) {
  const ImVec2 window = ImGui::GetIO().DisplaySize;
  const bool retile = window.x != ui.laid_out_width || window.y != ui.laid_out_height;
  ui.laid_out_width = window.x;
  ui.laid_out_height = window.y;
  const Layout layout = layout_for(window);
  place(layout.dream_pos, layout.dream_size, retile);
  const render::Rect dream = draw_dream(gui, textures, inputs, ui);
  if (ui.shows_truth) {
    place(layout.truth_pos, layout.truth_size, retile);
    draw_truth(gui, textures, inputs, ui);
    place(layout.map_pos, layout.map_size, retile);
    draw_map(gui, textures, inputs);
  }
  place(layout.controls_pos, layout.controls_size, retile);
  ImGui::Begin("Controls", nullptr, ImGuiWindowFlags_NoCollapse);
  // Go to first: at the default window size the controls scroll, and its plan is what to watch.
  draw_go_to(gui, textures, inputs, ui, stepper);
  draw_walk_controls(inputs, ui, stepper);
  ImGui::Separator();
  draw_sampling(ui, stepper);
  ImGui::Separator();
  draw_stats(inputs);
  if (!ui.message.empty()) ImGui::TextWrapped("%s", ui.message.c_str());
  ImGui::Separator();
  draw_model_info(inputs);
  ImGui::End();
  if (ui.shows_help) draw_help(inputs, ui);
  return dream;
}

}  // namespace dw::viewer
