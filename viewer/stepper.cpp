#include "viewer/stepper.h"

#include <algorithm>
#include <numeric>

#include "model/compare_strip.h"
#include "nav/base/user_error.h"

namespace dw::viewer {

Stepper::Stepper(Session& session, KeyBindings bindings, StepperSettings settings)
    : session_(session),
      info_(std::make_shared<const model::ModelInfo>(session.info())),
      bindings_(std::move(bindings)),
      settings_(std::move(settings)),
      tick_(1.0 / std::max(0.1, settings_.tick_rate)) {}

Stepper::~Stepper() { stop(); }

void Stepper::start() {
  latest_ = make_snapshot();  // the session has started by now; the worker does not run yet
  latest_.version = 1;
  session_step_ = session_.current();
  if (settings_.go_to_at_start) request_go_to(*settings_.go_to_at_start);
  worker_ = std::thread([this] { run(); });
}

void Stepper::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    is_stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Stepper::set_key(const std::string& key, bool is_down) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const bool changed = is_down ? held_.insert(key).second : held_.erase(key) > 0;
    if (!changed || !bindings_.is_bound(key)) return;
    if (!pending_input_time_) pending_input_time_ = Clock::now();
    input_changed_ = true;
  }
  wake_.notify_all();
}

void Stepper::release_all_keys() {
  std::lock_guard<std::mutex> lock(mutex_);
  held_.clear();
}

void Stepper::toggle_pause() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    is_paused_ = !is_paused_;
  }
  wake_.notify_all();
}

bool Stepper::is_paused() {
  std::lock_guard<std::mutex> lock(mutex_);
  return is_paused_;
}

void Stepper::push_command(Command command) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    commands_.push_back(std::move(command));
  }
  wake_.notify_all();
}

void Stepper::request_restart() { push_command(Command{Command::Kind::restart}); }

void Stepper::request_rewind(int index) {
  Command command{Command::Kind::rewind};
  command.index = index;
  push_command(std::move(command));
}

void Stepper::request_start(const WalkStart& start) {
  Command command{Command::Kind::start};
  command.start = start;
  push_command(std::move(command));
}

void Stepper::request_temperature(float temperature) {
  Command command{Command::Kind::temperature};
  command.temperature = temperature;
  push_command(std::move(command));
}

void Stepper::request_save_walk(const std::filesystem::path& path) {
  Command command{Command::Kind::save_walk};
  command.path = path;
  push_command(std::move(command));
}

void Stepper::request_go_to(const GoToGoal& goal) {
  Command command{Command::Kind::go_to};
  command.goal = goal;
  push_command(std::move(command));
}

void Stepper::stop_go_to() { push_command(Command{Command::Kind::stop_go_to}); }

void Stepper::start_recording() {
  std::lock_guard<std::mutex> lock(mutex_);
  recording_ = {latest_.dream};
  is_recording_ = true;
}

std::vector<Image> Stepper::stop_recording() {
  std::lock_guard<std::mutex> lock(mutex_);
  is_recording_ = false;
  return std::move(recording_);
}

bool Stepper::is_recording() {
  std::lock_guard<std::mutex> lock(mutex_);
  return is_recording_;
}

bool Stepper::fetch(Snapshot& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (out.version == latest_.version) return false;
  out = latest_;
  latest_.input_time.reset();  // a key change is answered once
  return true;
}

StepperStats Stepper::stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  StepperStats stats;
  const Clock::time_point horizon = Clock::now() - std::chrono::seconds(1);
  stats.ticks_per_s = static_cast<double>(
      std::count_if(step_times_.begin(), step_times_.end(), [&](Clock::time_point t) { return t >= horizon; }));
  if (!inference_ms_.empty()) {
    stats.inference_ms = std::accumulate(inference_ms_.begin(), inference_ms_.end(), 0.0) /
                         static_cast<double>(inference_ms_.size());
  }
  stats.steps = steps_;
  return stats;
}

std::string Stepper::status_message() {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

std::optional<std::filesystem::path> Stepper::screenshot_due(int step) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = settings_.screenshots.find(step);
  if (found == settings_.screenshots.end()) return std::nullopt;
  return found->second;
}

void Stepper::screenshot_taken(int step) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    settings_.screenshots.erase(step);
  }
  wake_.notify_all();
}

bool Stepper::is_finished(int shown_step) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (error_) return true;
  if (!settings_.quit_step || shown_step < *settings_.quit_step) return false;
  return settings_.screenshots.empty() || settings_.screenshots.begin()->first > shown_step;
}

void Stepper::rethrow_worker_error() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (error_) std::rethrow_exception(error_);
}

bool Stepper::wants_step_locked() const {
  if (is_paused_) return false;
  if (settings_.quit_step && session_step_ >= *settings_.quit_step) return false;
  if (settings_.screenshots.count(session_step_)) return false;  // hold until it is taken
  if (is_going_ || replay_cursor_ < settings_.replay.size() || settings_.script) return true;
  if (settings_.steps_when_idle) return true;
  return std::any_of(held_.begin(), held_.end(), [&](const std::string& key) { return bindings_.is_bound(key); });
}

void Stepper::apply_script_locked(int step) {
  if (!settings_.script) return;
  const auto& events = settings_.script->events();
  while (script_cursor_ < events.size() && events[script_cursor_].step <= step) {
    const ScriptEvent& event = events[script_cursor_++];
    if (event.is_quit) continue;
    if (event.is_down) {
      script_held_.insert(event.key);
    } else {
      script_held_.erase(event.key);
    }
  }
}

Snapshot snapshot_of(const Session& session, std::shared_ptr<const model::ModelInfo> info) {
  Snapshot snapshot;
  const TimelineEntry& entry = session.now();
  snapshot.step = session.current();
  snapshot.timeline_length = session.length();
  snapshot.dream = entry.dream;
  snapshot.action = entry.action;
  snapshot.has_truth = session.has_ground_truth();
  if (entry.truth) {
    snapshot.pose = entry.pose;
    snapshot.truth = *entry.truth;
    snapshot.heatmap = model::error_heatmap(*entry.truth, entry.dream, kHeatmapFullScale);
    snapshot.map = session.map();
    snapshot.psnr = entry.psnr;
  }
  snapshot.info = std::move(info);
  return snapshot;
}

void Stepper::publish(Snapshot snapshot, std::unique_lock<std::mutex>& lock) {
  (void)lock;  // must be held
  snapshot.version = latest_.version + 1;
  if (!snapshot.input_time) snapshot.input_time = latest_.input_time;  // not fetched yet: carry it
  if (is_recording_ && snapshot.step > latest_.step) recording_.push_back(snapshot.dream);
  session_step_ = snapshot.step;
  latest_ = std::move(snapshot);
}

Snapshot Stepper::make_snapshot() const {
  Snapshot snapshot = snapshot_of(session_, info_);
  snapshot.go_to = go_to_ ? go_to_->view() : finished_go_to_;
  return snapshot;
}

void Stepper::begin_go_to(const GoToGoal& goal) {
  if (!settings_.make_go_to_planning) throw UserError("Go to is not available in this viewer (no planner)");
  if (!go_to_planning_) go_to_planning_ = settings_.make_go_to_planning();
  go_to_ = std::make_unique<GoTo>(*go_to_planning_, session_, goal, settings_.go_to_options);
  finished_go_to_ = {};
  if (go_to_->is_done(session_)) end_go_to(go_to_->outcome(session_));  // already there
}

void Stepper::end_go_to(const std::string& outcome) {
  if (!go_to_) return;
  finished_go_to_ = go_to_->view();
  finished_go_to_.is_active = false;
  finished_go_to_.outcome = outcome;
  go_to_.reset();
}

void Stepper::run_command(const Command& command) {
  switch (command.kind) {
    case Command::Kind::restart: end_go_to("stopped: restart"); session_.restart(); break;
    case Command::Kind::rewind: end_go_to("stopped: rewind"); session_.rewind(command.index); break;
    case Command::Kind::start: end_go_to("stopped: new start"); session_.start(command.start); break;
    case Command::Kind::temperature: session_.set_temperature(command.temperature); break;
    case Command::Kind::save_walk: save_walk(session_.walk(), command.path); break;
    case Command::Kind::go_to: end_go_to("stopped: a new goal"); begin_go_to(command.goal); break;
    case Command::Kind::stop_go_to:
      if (go_to_) end_go_to("stopped after " + std::to_string(go_to_->view().steps) + " steps (Esc)");
      break;
  }
}

void Stepper::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  try {
    // Commands still queued at stop are run first (a walk saved just before the window closes is
    // written), except a Go to, which would only start planning.
    while (!is_stopping_ || !commands_.empty()) {
      if (!commands_.empty()) {
        const Command command = std::move(commands_.front());
        commands_.pop_front();
        if (is_stopping_ && command.kind == Command::Kind::go_to) continue;
        lock.unlock();
        std::string status;
        const bool was_going = go_to_ != nullptr;
        try {
          run_command(command);
          if (command.kind == Command::Kind::save_walk) status = "walk saved to " + command.path.string();
          if (command.kind == Command::Kind::go_to && go_to_) status = "going to " + command.goal.source;
          const bool has_ended = (was_going || command.kind == Command::Kind::go_to) && !go_to_;
          if (has_ended && !finished_go_to_.outcome.empty()) status = "Go to " + finished_go_to_.outcome;
        } catch (const UserError& e) {
          status = e.what();  // a bad path or image from the window: show it, keep walking
        }
        Snapshot snapshot = make_snapshot();
        lock.lock();
        is_going_ = go_to_ != nullptr;
        if (!status.empty()) status_ = status;
        publish(std::move(snapshot), lock);
        continue;
      }
      if (is_stopping_) break;
      if (!wants_step_locked()) {
        wake_.wait(lock);
        continue;
      }
      if (!input_changed_ && Clock::now() < next_tick_) {
        wake_.wait_until(lock, next_tick_);
        continue;
      }
      apply_script_locked(session_step_);
      if (!wants_step_locked()) continue;  // the script may have just quit
      std::set<std::string> keys = held_;
      keys.insert(script_held_.begin(), script_held_.end());
      const std::vector<float> action = replay_cursor_ < settings_.replay.size()
                                            ? settings_.replay[replay_cursor_++]
                                            : bindings_.action(keys);
      const std::optional<Clock::time_point> input_time = pending_input_time_;
      pending_input_time_.reset();
      input_changed_ = false;
      lock.unlock();

      const Clock::time_point started = Clock::now();
      std::string outcome;
      if (go_to_) {
        const std::vector<float> planned = go_to_->next_action(session_);  // replans when due: slow
        session_.step(planned);
        go_to_->observe(session_, planned);
        if (go_to_->is_done(session_)) {
          outcome = go_to_->outcome(session_);
          end_go_to(outcome);
        }
      } else {
        session_.step(action);
      }
      const Clock::time_point stepped = Clock::now();
      Snapshot snapshot = make_snapshot();
      snapshot.input_time = go_to_ ? std::nullopt : input_time;

      lock.lock();
      is_going_ = go_to_ != nullptr;
      if (!outcome.empty()) status_ = "Go to " + outcome;
      next_tick_ = started + std::chrono::duration_cast<Clock::duration>(tick_);
      step_times_.push_back(stepped);
      while (step_times_.size() > 1 && step_times_.front() < stepped - std::chrono::seconds(2)) step_times_.pop_front();
      inference_ms_.push_back(std::chrono::duration<double, std::milli>(stepped - started).count());
      if (inference_ms_.size() > 30) inference_ms_.pop_front();
      ++steps_;
      publish(std::move(snapshot), lock);
    }
  } catch (...) {
    if (!lock.owns_lock()) lock.lock();
    error_ = std::current_exception();
  }
}

}  // namespace dw::viewer
