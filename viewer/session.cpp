#include "viewer/session.h"

#include <algorithm>
#include <cassert>

#include "model/metrics.h"
#include "nav/base/user_error.h"

namespace dw::viewer {

Session::Session(model::Simulator& simulator, std::uint64_t seed) : simulator_(simulator), seed_(seed) {}

Image Session::truth_view(const nav::Pose& pose) const {
  const model::ModelInfo& info = simulator_.info();
  const bool renders_directly = info.width == info.height && info.width >= 32 && info.width <= 512;
  if (renders_directly) return world_->render_view(pose, info.width);
  return resize_image(world_->render_view(pose, 64), info.width, info.height);
}

// The model was trained to see ModelInfo::context true frames and the actions between them before
// it predicts, so a world start hands it all of them. The agent stands still at the spawn while they
// are taken (zero actions): the walk starts where its saved start says, no warm-up can run into
// a wall, and a zero action is also what the model steps when no key is held. The world ends in the
// pose of the last context frame, so the truth pane and the dream agree at the start.
TimelineEntry Session::start_in_world(std::uint64_t world_seed) {
  const model::ModelInfo& info = simulator_.info();
  world_.emplace(world_seed, data::world_settings_for(info.schema));
  const int context = std::max(1, info.context);
  const std::vector<std::vector<float>> actions(static_cast<size_t>(context - 1),
                                                std::vector<float>(static_cast<size_t>(info.schema.dimension()), 0.0f));
  nav::Pose pose = world_->spawn_pose(world_seed);
  std::vector<Image> frames{truth_view(pose)};
  for (const std::vector<float>& action : actions) {
    pose = world_->step(pose, nav::Action{action[0], action[1], action[2]});
    frames.push_back(truth_view(pose));
  }
  simulator_.reset({frames}, {actions}, seed_);
  TimelineEntry first;
  first.pose = pose;
  first.truth = frames.back();
  first.dream = frames.back();
  first.psnr = model::kPsnrCap;
  return first;
}

void Session::start(const WalkStart& start) {
  const model::ModelInfo& info = simulator_.info();
  start_ = start;
  world_.reset();
  TimelineEntry first;
  if (start.world_seed && info.schema.is_navigation()) {
    first = start_in_world(*start.world_seed);
  } else if (start.world_seed) {
    throw UserError("--world-seed needs a navigation model (actions forward, strafe, turn); this one is driven by " +
                    std::to_string(info.schema.dimension()) + " other actions, so give --start IMAGE");
  } else {
    if (start.image.width <= 0) throw UserError("the start image is empty");
    first.dream = start.image.same_size(Image(info.width, info.height))
                      ? start.image
                      : resize_image(start.image, info.width, info.height);
    simulator_.reset_single({first.dream}, seed_);  // one frame is all a start image gives
  }
  first.state = simulator_.save_state();
  timeline_.clear();
  timeline_.push_back(std::move(first));
  current_ = 0;
}

void Session::step(const std::vector<float>& action) {
  assert(!timeline_.empty());
  if (current_ + 1 < length()) timeline_.resize(static_cast<size_t>(current_) + 1);  // fork
  // Another user of the simulator (Go to's planner imagines whole populations with it) may have
  // left it elsewhere: step from this frame's own state.
  simulator_.restore_state(now().state);
  TimelineEntry next;
  next.action = action;
  next.dream = simulator_.step_single(action);
  if (world_) {
    const nav::Action move{action[0], action[1], action[2]};
    next.pose = world_->step(now().pose, move);
    next.truth = truth_view(next.pose);
    next.psnr = model::frame_psnr(*next.truth, next.dream);  // every step: PSNR only, no SSIM
  }
  next.state = simulator_.save_state();
  timeline_.push_back(std::move(next));
  current_ = length() - 1;
}

void Session::rewind(int index) {
  if (index < 0 || index >= length()) return;
  current_ = index;
  simulator_.restore_state(timeline_[static_cast<size_t>(index)].state);
}

void Session::set_temperature(float temperature) { simulator_.set_temperature(temperature); }

Image Session::map() const {
  if (!world_) return {};
  std::vector<nav::Pose> path;
  for (int i = 0; i <= current_; ++i) path.push_back(entry(i).pose);
  return world_->render_map(path, 8);
}

Walk Session::walk() const {
  Walk walk;
  walk.start = start_;
  for (int i = 1; i <= current_; ++i) walk.actions.push_back(entry(i).action);
  walk.seed = seed_;
  walk.temperature = simulator_.temperature();
  walk.model_hash = simulator_.info().weights_hash;
  return walk;
}

}  // namespace dw::viewer
