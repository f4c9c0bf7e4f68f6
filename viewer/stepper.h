// The model's own thread (MuJoCo simulate's pattern): it steps the session at a fixed tick rate
// while the window's loop draws; the two share one mutex, held only to exchange input, commands
// and the latest snapshot, never during inference, so the window never waits on the model.
// A key press wakes the worker at once (the tick restarts), so a press is answered without
// waiting out the rest of a tick; held keys then repeat at the tick rate.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "viewer/go_to.h"
#include "viewer/key_bindings.h"
#include "viewer/script.h"
#include "viewer/session.h"

namespace dw::viewer {

using Clock = std::chrono::steady_clock;

struct StepperSettings {
  double tick_rate = 20.0;                 // model steps per second while moving
  std::optional<Script> script;            // step-indexed key events; steps every tick while set
  std::vector<std::vector<float>> replay;  // actions replayed first (from a saved walk)
  std::map<int, std::filesystem::path> screenshots;  // the worker holds at these steps until taken
  std::optional<int> quit_step;            // no steps beyond; the app closes once it is shown
  bool steps_when_idle = false;            // step with a zero action when no key is held
  GoToPlanningFactory make_go_to_planning; // empty: Go to is refused with a message
  model::MpcOptions go_to_options = model::default_mpc_options();  // 64 steps at most
  std::optional<GoToGoal> go_to_at_start;  // --goal-pose / --goal: Go to from the first tick
};

// What the window shows; copied out under the mutex when `version` changes. It carries all the
// window reads of the session, because the worker may re-create the session's world (Restart,
// Load start) while the window draws.
struct Snapshot {
  std::uint64_t version = 0;
  int step = 0;              // index of the shown frame in the timeline
  int timeline_length = 1;
  Image dream;
  bool has_truth = false;    // the walk started in a world
  Image truth;               // truth, heatmap and map are empty without ground truth
  std::optional<nav::Pose> pose;  // the true pose, with ground truth
  Image heatmap;
  Image map;
  double psnr = 0.0;
  std::vector<float> action; // the action that led to this frame
  std::optional<Clock::time_point> input_time;  // the key change this frame first answers
  std::shared_ptr<const model::ModelInfo> info; // the model (never changes; shared, not copied)
  GoToView go_to;            // the running Go to, or the last one (is_active false) with its outcome
};

// The heatmap's white: a mean error of a quarter of the range, so the small errors of a good
// model still show (eval's strips use 0.5).
constexpr float kHeatmapFullScale = 0.25f;

// The snapshot of the session's current frame (version and input time left for the stepper).
Snapshot snapshot_of(const Session& session, std::shared_ptr<const model::ModelInfo> info);

struct StepperStats {
  double ticks_per_s = 0.0;   // steps over the last second
  double inference_ms = 0.0;  // mean of the last 30 steps
  long long steps = 0;        // all steps so far
};

class Stepper {
 public:
  Stepper(Session& session, KeyBindings bindings, StepperSettings settings);
  ~Stepper();
  Stepper(const Stepper&) = delete;
  Stepper& operator=(const Stepper&) = delete;

  // Call once the session has started.
  void start();
  void stop();

  // --- called from the window's thread ---
  void set_key(const std::string& key, bool is_down);
  void release_all_keys();
  void toggle_pause();
  bool is_paused();
  void request_restart();
  void request_rewind(int index);
  void request_start(const WalkStart& start);
  void request_temperature(float temperature);
  void request_save_walk(const std::filesystem::path& path);
  // Walks to the goal by planning in imagination, one planned action per tick, until the goal pose
  // is reached (when known), the step budget is spent, or stop_go_to() (Esc). Keys are ignored
  // meanwhile; restart, rewind and a new start stop it too.
  void request_go_to(const GoToGoal& goal);
  void stop_go_to();
  void start_recording();
  std::vector<Image> stop_recording();
  bool is_recording();
  // Copies the latest snapshot into `out` when it is newer; true when it did.
  bool fetch(Snapshot& out);
  StepperStats stats();
  std::string status_message();
  // The screenshot file wanted for `step`, if any, and the report that it was written.
  std::optional<std::filesystem::path> screenshot_due(int step);
  void screenshot_taken(int step);
  // True once the quit step is shown with no screenshot left to take.
  bool is_finished(int shown_step);
  // Rethrows an exception the worker died with (so the app fails loudly, not silently frozen).
  void rethrow_worker_error();

 private:
  struct Command {
    enum class Kind { restart, rewind, start, temperature, save_walk, go_to, stop_go_to };
    explicit Command(Kind what) : kind(what) {}
    Kind kind;
    int index = 0;
    float temperature = 0.0f;
    WalkStart start;
    std::filesystem::path path;
    GoToGoal goal;
  };
  void run();
  bool wants_step_locked() const;
  void apply_script_locked(int step);
  void run_command(const Command& command);
  Snapshot make_snapshot() const;
  void begin_go_to(const GoToGoal& goal);
  void end_go_to(const std::string& outcome);
  void publish(Snapshot snapshot, std::unique_lock<std::mutex>& lock);
  void push_command(Command command);

  Session& session_;
  const std::shared_ptr<const model::ModelInfo> info_;
  const KeyBindings bindings_;
  StepperSettings settings_;
  const std::chrono::duration<double> tick_;

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::thread worker_;
  bool is_stopping_ = false;
  bool is_paused_ = false;
  std::set<std::string> held_;         // keys the person holds (released when focus is lost)
  std::set<std::string> script_held_;  // keys the script holds
  std::optional<Clock::time_point> pending_input_time_;
  bool input_changed_ = false;
  Clock::time_point next_tick_{};
  std::deque<Command> commands_;
  size_t script_cursor_ = 0;
  size_t replay_cursor_ = 0;
  int session_step_ = 0;  // session.current(), mirrored for the window thread
  Snapshot latest_;
  bool is_recording_ = false;
  std::vector<Image> recording_;
  std::deque<Clock::time_point> step_times_;
  std::deque<double> inference_ms_;
  long long steps_ = 0;
  std::string status_;
  std::exception_ptr error_;
  bool is_going_ = false;  // go_to_ is set (mirrored for wants_step_locked)

  // The worker's own (never touched by the window's thread).
  std::optional<GoToPlanning> go_to_planning_;
  std::unique_ptr<GoTo> go_to_;
  GoToView finished_go_to_;
};

}  // namespace dw::viewer
