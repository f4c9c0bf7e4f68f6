// One walk through the model's dream: the simulator stepped with actions, the ground-truth world
// driven by the same actions beside it (when the walk starts in a world), and a timeline of every
// frame with the simulator's state, so the walk can rewind to any frame and fork from there.
// Not thread-safe: the stepper's worker thread is its only user.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "model/simulator.h"
#include "nav/world.h"
#include "viewer/walk.h"

namespace dw::viewer {

struct TimelineEntry {
  std::vector<float> action;  // the action that led to this frame (empty for the start)
  Image dream;
  std::optional<Image> truth;
  nav::Pose pose;             // the true pose (meaningful with ground truth)
  double psnr = 0.0;          // dream vs truth, when there is a truth
  std::shared_ptr<const model::SimulatorState> state;  // the simulator right after this frame
};

class Session {
 public:
  Session(model::Simulator& simulator, std::uint64_t seed);

  // Starts a new walk. From a world seed (which needs a navigation schema: forward, strafe, turn)
  // the model sees its full context, ModelInfo::context true frames; a start image is one frame,
  // resized to the model's frame size.
  void start(const WalkStart& start);
  void restart() { start(start_); }
  // One model step (and one world step). From a rewound frame this forks: later frames are dropped.
  void step(const std::vector<float>& action);
  // Shows frame `index` again and makes the next step continue from it.
  void rewind(int index);
  void set_temperature(float temperature);

  int current() const { return current_; }
  int length() const { return static_cast<int>(timeline_.size()); }
  const TimelineEntry& entry(int index) const { return timeline_.at(static_cast<size_t>(index)); }
  const TimelineEntry& now() const { return entry(current_); }
  bool has_ground_truth() const { return world_.has_value(); }
  const model::ModelInfo& info() const { return simulator_.info(); }
  std::uint64_t seed() const { return seed_; }

  // Top-down map with the true path up to the current frame (empty image without ground truth).
  Image map() const;
  // The walk so far (start, actions up to the current frame, seed, temperature, model hash).
  Walk walk() const;

 private:
  Image truth_view(const nav::Pose& pose) const;
  TimelineEntry start_in_world(std::uint64_t world_seed);

  model::Simulator& simulator_;
  std::uint64_t seed_;
  WalkStart start_;
  std::optional<nav::World> world_;
  std::vector<TimelineEntry> timeline_;
  int current_ = 0;
};

}  // namespace dw::viewer
