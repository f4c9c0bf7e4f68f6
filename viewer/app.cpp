// run_viewer(): the App that owns the window, the Vulkan objects, the GUI, the session and its
// stepper, and runs the frame loop (Dear ImGui's example order: poll, input, widgets, acquire —
// rebuilding a stale swapchain — upload, draw, present).
#include "viewer/app.h"

#include <algorithm>
#include <cstdio>

#include "datasets/gif_writer.h"
#include "datasets/video_writer.h"
#include "nav/base/user_error.h"
#include "render/swapchain.h"
#include "render/texture.h"
#include "viewer/gui.h"
#include "viewer/panels.h"
#include "viewer/stepper.h"
#include "viewer/window.h"

namespace dw::viewer {
namespace {

constexpr std::array<float, 4> kBackground = {0.06f, 0.06f, 0.07f, 1.0f};

render::ContextOptions context_options(const ViewerOptions& options, const Window& window) {
  render::ContextOptions context;
  context.instance_extensions = window.vulkan_extensions();
  context.validation = options.validation;
  context.gpu_index = options.gpu;
  context.make_surface = [&window](VkInstance instance) { return window.create_surface(instance); };
  return context;
}

std::string numbered(const std::filesystem::path& dir, const std::string& stem, int number, const char* ext) {
  char name[64];
  std::snprintf(name, sizeof(name), "%s-%03d.%s", stem.c_str(), number, ext);
  return (dir / name).string();
}

}  // namespace

class App {
 public:
  App(model::Simulator& simulator, const ViewerOptions& options, const WalkStart& start, StepperSettings settings,
      std::uint64_t seed, float temperature, std::optional<GoToGoal> initial_goal);
  ~App() { context_.wait_idle(); }
  ViewerReport run();

 private:
  void handle_input();
  void handle_key(const KeyEvent& event);
  void apply_ui_requests();
  void toggle_recording();
  void drive_bench(int frame);
  void draw_one_frame();
  void upload(VkCommandBuffer commands);
  void apply_go_to_requests();
  void choose_goal(GoToGoal goal);
  std::vector<std::pair<const Image*, std::unique_ptr<render::Texture>*>> uploads();

  const ViewerOptions& options_;
  Window window_;
  render::Context context_;
  render::Swapchain swapchain_;
  render::FrameLoop loop_;
  Gui gui_;
  render::StagingRing ring_;
  std::unique_ptr<render::Texture> dream_texture_, truth_texture_, heatmap_texture_, map_texture_;
  std::unique_ptr<render::Texture> goal_texture_, plan_texture_;
  Image plan_strip_;  // the shown Go to plan's imagined frames side by side
  Image goal_image_;  // the chosen Go to goal
  bool goal_changed_ = false;
  KeyBindings bindings_;
  Session session_;  // the stepper's worker owns it while it runs: this thread reads the snapshot
  Stepper stepper_;
  Snapshot shown_;
  bool needs_upload_ = false;
  UiState ui_;
  ViewerReport report_;
  std::vector<double> latencies_ms_;
  int frames_drawn_ = 0;
  int files_written_ = 0;
  Clock::time_point first_frame_{};
};

App::App(model::Simulator& simulator, const ViewerOptions& options, const WalkStart& start,
         StepperSettings settings, std::uint64_t seed, float temperature, std::optional<GoToGoal> initial_goal)
    : options_(options),
      window_(options.width, options.height, "Dreamwalk"),
      context_(context_options(options, window_)),
      swapchain_(context_, window_.framebuffer_size(), options.vsync && options.bench_frames == 0),
      loop_(context_, swapchain_),
      gui_(window_, context_, swapchain_),
      ring_(context_, 8u << 20, render::FrameLoop::kFramesInFlight),
      bindings_(simulator.info().schema),
      session_(simulator, seed),
      stepper_(session_, bindings_, std::move(settings)) {
  session_.set_temperature(temperature);
  session_.start(start);
  ui_.is_sampling = temperature > 0.0f;
  if (ui_.is_sampling) ui_.temperature = temperature;
  report_.gpu = context_.gpu().name;
  if (initial_goal) choose_goal(std::move(*initial_goal));
}

void App::handle_key(const KeyEvent& event) {
  const bool gui_has_keyboard = gui_.wants_keyboard();
  if (!event.is_down) {  // releases always pass, so no key stays stuck behind a text field
    stepper_.set_key(event.key, false);
    return;
  }
  if (gui_has_keyboard) return;
  if (event.key == "R") stepper_.request_restart();
  else if (event.key == "Space") stepper_.toggle_pause();
  else if (event.key == "P") ui_.wants_screenshot = true;
  else if (event.key == "Tab") ui_.shows_truth = !ui_.shows_truth;
  else if (event.key == "F1") ui_.shows_help = !ui_.shows_help;
  else if (event.key == "Escape") stepper_.stop_go_to();
  else stepper_.set_key(event.key, true);
}

void App::handle_input() {
  window_.poll_events();
  // A window losing focus never sees the key-up: release what the person held (the bench's
  // synthetic keys are not theirs).
  if (window_.take_focus_lost() && options_.bench_frames == 0) stepper_.release_all_keys();
  for (const KeyEvent& event : window_.take_key_events()) handle_key(event);
  for (const std::string& path : window_.take_dropped_paths()) {
    char* field = ui_.drops_set_goal ? ui_.goal_path : ui_.start_path;
    std::snprintf(field, sizeof(ui_.start_path), "%s", path.c_str());
    (ui_.drops_set_goal ? ui_.wants_goal_load : ui_.wants_start_load) = true;
  }
}

void App::toggle_recording() {
  if (!stepper_.is_recording()) {
    stepper_.start_recording();
    ui_.message = "recording...";
    return;
  }
  const std::vector<Image> frames = stepper_.stop_recording();
  const bool is_mp4 = ui_.record_format == 1 && data::can_write_video();
  const std::string path = numbered(options_.output_dir, "dreamwalk-recording", ++files_written_, is_mp4 ? "mp4" : "gif");
  const int fps = std::max(1, static_cast<int>(options_.tick_rate + 0.5));
  if (is_mp4) {
    data::write_mp4(frames, path, fps, 4);
  } else {
    data::write_gif(frames, path, std::max(2, 100 / fps), 4);
  }
  ui_.message = std::to_string(frames.size()) + " frames recorded to " + path;
}

void App::choose_goal(GoToGoal goal) {
  goal_image_ = goal.image;
  goal_changed_ = true;
  ui_.goal = std::move(goal);
}

// The goal is chosen here (from the shown frame or a file) and kept in the UI until Go to starts.
void App::apply_go_to_requests() {
  if (ui_.wants_goal_from_frame) {
    const std::string source = "frame " + std::to_string(shown_.step);
    choose_goal(GoToGoal{shown_.has_truth ? shown_.truth : shown_.dream, shown_.pose, source});
    ui_.message = "goal: " + source;
  }
  if (ui_.wants_goal_load) {
    const Image image = load_image(ui_.goal_path);
    const model::ModelInfo& info = *shown_.info;
    choose_goal(GoToGoal{image, std::nullopt, ui_.goal_path});
    ui_.message = std::string("goal: ") + ui_.goal_path;
    if (image.width != info.width || image.height != info.height) {
      ui_.message += " (resized from " + std::to_string(image.width) + "x" + std::to_string(image.height) + " to " +
                     std::to_string(info.width) + "x" + std::to_string(info.height) + ")";
    }
  }
  if (ui_.wants_go_to && ui_.goal) stepper_.request_go_to(*ui_.goal);
}

void App::apply_ui_requests() {
  try {
    apply_go_to_requests();
    if (ui_.wants_record_toggle) toggle_recording();
    if (ui_.wants_start_load) {
      const Image image = load_image(ui_.start_path);
      stepper_.request_start(WalkStart{std::nullopt, image});
      ui_.message = std::string("started from ") + ui_.start_path;
    }
  } catch (const UserError& e) {
    ui_.message = e.what();  // a bad path typed into the window is shown there, not fatal
  }
  ui_.wants_record_toggle = false;
  ui_.wants_start_load = false;
  ui_.wants_goal_from_frame = false;
  ui_.wants_goal_load = false;
  ui_.wants_go_to = false;
  const std::string status = stepper_.status_message();
  if (!status.empty() && ui_.message.find(status) == std::string::npos) ui_.message = status;
}

// Holds W throughout and taps Q every 10 frames: each tap is one key-to-frame sample.
void App::drive_bench(int frame) {
  if (frame == 0) stepper_.set_key("W", true);
  if (frame % 10 == 5) stepper_.set_key("Q", (frame / 10) % 2 == 0);
}

// Every image the panels show and its texture (empty images are skipped by the callers).
std::vector<std::pair<const Image*, std::unique_ptr<render::Texture>*>> App::uploads() {
  return {{&shown_.dream, &dream_texture_},  {&shown_.truth, &truth_texture_}, {&shown_.heatmap, &heatmap_texture_},
          {&shown_.map, &map_texture_},      {&goal_image_, &goal_texture_}, {&plan_strip_, &plan_texture_}};
}

void App::upload(VkCommandBuffer commands) {
  for (const auto& [image, texture] : uploads()) {
    if (image->width > 0 && *texture) (*texture)->upload(commands, ring_, *image);
  }
}

void App::draw_one_frame() {
  if (stepper_.fetch(shown_)) {
    needs_upload_ = true;
    if (!ImGui::IsAnyItemActive()) ui_.timeline_pick = shown_.step;
    const std::vector<Image>& plan = shown_.go_to.plan;
    plan_strip_ = plan.empty() ? Image() : tile_images(plan, static_cast<int>(plan.size()));
  }
  if (needs_upload_ || goal_changed_) {
    needs_upload_ = true;
    goal_changed_ = false;
    for (const auto& [image, texture] : uploads()) {
      if (image->width > 0) render::ensure_texture_size(context_, *texture, *image);
    }
  }
  gui_.new_frame();
  const StepperStats stats = stepper_.stats();
  const double display_fps = ImGui::GetIO().Framerate;
  const std::optional<double> latency =
      latencies_ms_.empty() ? std::nullopt : std::optional<double>(latencies_ms_.back());
  const PanelInputs inputs{shown_, stats, bindings_, display_fps, latency, stepper_.is_paused(),
                           stepper_.is_recording(), data::can_write_video()};
  const PanelTextures textures{dream_texture_.get(), truth_texture_.get(), heatmap_texture_.get(),
                               map_texture_.get(),   goal_texture_.get(),  plan_texture_.get()};
  const render::Rect dream_rect = draw_panels(gui_, textures, inputs, ui_, stepper_);

  const std::optional<render::Frame> frame = loop_.begin(window_.framebuffer_size());
  if (!frame) {
    gui_.skip_frame();
    return;
  }
  ring_.begin_frame(frame->slot);
  const bool uploads = needs_upload_;
  if (uploads) upload(frame->commands);
  needs_upload_ = false;
  loop_.begin_render_pass(*frame, kBackground);
  gui_.render(*frame);

  // A screenshot is due once the frame for its step is drawn (the image has landed on screen).
  const std::optional<std::filesystem::path> due =
      dream_rect.width > 0 ? stepper_.screenshot_due(shown_.step) : std::nullopt;
  const bool wants_readback = due || ui_.wants_screenshot;
  Image readback;
  loop_.end(*frame, wants_readback ? &readback : nullptr);
  const Clock::time_point presented = Clock::now();
  if (frames_drawn_++ == 0) first_frame_ = presented;
  if (uploads && shown_.input_time) {
    latencies_ms_.push_back(std::chrono::duration<double, std::milli>(presented - *shown_.input_time).count());
  }
  if (due) {
    save_png(readback, *due);
    report_.shown_dream[shown_.step] = shown_.dream;
    report_.dream_rect[shown_.step] = dream_rect;
    stepper_.screenshot_taken(shown_.step);
  }
  if (ui_.wants_screenshot) {
    const std::string path = numbered(options_.output_dir, "dreamwalk-screenshot", ++files_written_, "png");
    save_png(readback, path);
    ui_.message = "screenshot saved to " + path;
    ui_.wants_screenshot = false;
  }
}

ViewerReport App::run() {
  stepper_.start();
  while (!window_.should_close()) {
    handle_input();
    if (options_.bench_frames > 0) drive_bench(frames_drawn_);
    apply_ui_requests();
    stepper_.rethrow_worker_error();
    draw_one_frame();
    if (stepper_.is_finished(shown_.step) && !needs_upload_) window_.close();
    if (options_.bench_frames > 0 && frames_drawn_ >= options_.bench_frames) window_.close();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - first_frame_).count();
  const StepperStats stats = stepper_.stats();
  stepper_.stop();
  stepper_.rethrow_worker_error();
  context_.wait_idle();

  BenchFigures& bench = report_.bench;
  bench.frames = frames_drawn_;
  bench.display_fps = seconds > 0 ? (frames_drawn_ - 1) / seconds : 0.0;
  bench.ticks_per_s = seconds > 0 ? static_cast<double>(stats.steps) / seconds : 0.0;
  bench.inference_ms = stats.inference_ms;
  bench.key_presses = static_cast<int>(latencies_ms_.size());
  if (!latencies_ms_.empty()) {
    std::vector<double> sorted = latencies_ms_;
    std::sort(sorted.begin(), sorted.end());
    double sum = 0.0;
    for (double value : sorted) sum += value;
    bench.key_to_frame_ms = sum / static_cast<double>(sorted.size());
    bench.key_to_frame_p95_ms = sorted[std::min(sorted.size() - 1, sorted.size() * 95 / 100)];
  }
  report_.steps = stats.steps;
  report_.validation_messages = context_.validation_message_count();
  for (int i = 0; i < session_.length(); ++i) report_.timeline.push_back(session_.entry(i).dream);
  report_.walk = session_.walk();
  return report_;
}

ViewerReport run_app(model::Simulator& simulator, const ViewerOptions& options, const WalkStart& start,
                     StepperSettings settings, std::uint64_t seed, float temperature) {
  std::optional<GoToGoal> initial_goal = settings.go_to_at_start;
  App app(simulator, options, start, std::move(settings), seed, temperature, std::move(initial_goal));
  return app.run();
}

}  // namespace dw::viewer
