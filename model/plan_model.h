// What the planner imagines with and where it compares frames, behind two small torch-free
// interfaces: a PlanningModel imagines a whole population of action sequences from one context in
// one batch (the learned model through the Simulator and so the imagination engine; or the
// ground-truth world itself, the planner's upper bound), and a FrameSpace maps frames to the
// features a cost compares (raw pixels, or the learned encoder's features).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/plan_cost.h"
#include "model/planner.h"
#include "model/simulator.h"
#include "nav/base/image.h"
#include "nav/pose.h"
#include "nav/world.h"

namespace dw::model {

// What the agent knows when it replans: its last real frames (1..context, oldest first), the
// actions between them and, only in the ground-truth world, its true pose (the world-as-model
// baseline needs it; a learned model ignores it).
struct PlanContext {
  std::vector<Image> frames;
  ActionSequence actions;  // frames.size() - 1 rows
  std::optional<nav::Pose> pose;
};

// Which of its imagined frames a PlanningModel returns for each sequence: a cost of the last frame
// alone lets the learned model skip decoding most of the others (Simulator::advance).
enum class ImaginedFrames { every, last };

class PlanningModel {
 public:
  virtual ~PlanningModel() = default;
  virtual int action_dimension() const = 0;
  virtual int context() const = 0;  // real frames it uses at most
  virtual int width() const = 0;
  virtual int height() const = 0;
  // Every sequence imagined from the same context, as one batch: frames[n][t] after action t
  // (every), or frames[n] = {the frame after the last action} (last).
  virtual std::vector<std::vector<Image>> imagine(const PlanContext& context,
                                                  const std::vector<ActionSequence>& sequences,
                                                  ImaginedFrames which = ImaginedFrames::every) = 0;
};

class FrameSpace {
 public:
  virtual ~FrameSpace() = default;
  virtual std::string name() const = 0;  // "pixels", "layout" or "embedding"
  virtual std::vector<Features> embed(const std::vector<Image>& frames) = 0;
};

// The learned model, driven through model::rollout (one batched reset and H batched steps), with
// its mean prediction (temperature 0) unless the simulator was set otherwise.
std::unique_ptr<PlanningModel> simulator_planning_model(Simulator& simulator, std::uint64_t seed = 0);
// The ground-truth world as the model: each sequence is walked from context.pose (asserted) with
// the world's own kinematics and rendered at width x height.
std::unique_ptr<PlanningModel> world_planning_model(nav::World world, int width, int height, int context);

// RGB values in [0, 1], row-major.
std::unique_ptr<FrameSpace> pixel_space();
// The frame's 8x8 area average (layout PSNR's cells), RGB in [0, 1].
std::unique_ptr<FrameSpace> layout_space();
// The learned encoder's output for each frame, flattened (the model's own embedding space). Loads
// the encoder of the checkpoint; UserError as Simulator::load.
std::unique_ptr<FrameSpace> encoder_space(const std::filesystem::path& checkpoint, const std::string& device = "cpu");
// UserError naming --cost-space unless `name` is embedding, pixels or layout.
void check_cost_space(const std::string& name);
// "embedding", "pixels" or "layout" (UserError naming --cost-space otherwise).
std::unique_ptr<FrameSpace> make_frame_space(const std::string& name, const std::filesystem::path& checkpoint,
                                             const std::string& device = "cpu");

// A population cost that imagines the population (one batch), embeds the frames and sums `cost`
// over each candidate. It keeps the lowest-cost candidate it has seen since the last reset_best(),
// so the planner's choice can be shown.
class ImaginedCost {
 public:
  // all_frames: embed every imagined frame (costs over all frames, explore); else only the last
  // (and the model imagines only the last).
  ImaginedCost(PlanningModel& model, FrameSpace& space, CandidateCost cost, bool all_frames);
  std::vector<double> operator()(const PlanContext& context, const std::vector<ActionSequence>& population);
  void reset_best();
  // Every imagined frame of the best candidate: kept where the model imagined them all, else
  // imagined again once, as a batch of one (to show the plan; not part of choosing it).
  const std::vector<Image>& best_frames();

 private:
  PlanningModel& model_;
  FrameSpace& space_;
  CandidateCost cost_;
  bool all_frames_;
  double best_cost_ = 0.0;
  PlanContext best_context_;
  ActionSequence best_sequence_;
  std::vector<Image> best_frames_;
};

}  // namespace dw::model
