#include "viewer/session.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "model/metrics.h"
#include "nav/user_error.h"

namespace dw::viewer {

Session::Session(model::Simulator& simulator, std::uint64_t seed) : simulator_(simulator), seed_(seed) {}

bool is_navigation_schema(const data::ActionSchema& schema) {
  return schema.names == std::vector<std::string>{"forward", "strafe", "turn"} && schema.limits.size() == 3;
}

Image Session::truth_view(const nav::Pose& pose) const {
  const model::ModelInfo& info = simulator_.info();
  const bool renders_directly = info.width == info.height && info.width >= 32 && info.width <= 512;
  if (renders_directly) return world_->render_view(pose, info.width);
  return resize_image(world_->render_view(pose, 64), info.width, info.height);
}

void Session::start(const WalkStart& start) {
  const model::ModelInfo& info = simulator_.info();
  start_ = start;
  world_.reset();
  TimelineEntry first;
  if (start.world_seed && is_navigation_schema(info.schema)) {
    nav::WorldSettings settings;
    // The world must move as far per step as the data the model learned from.
    settings.limits = {info.schema.limits[0], info.schema.limits[1], info.schema.limits[2]};
    world_.emplace(*start.world_seed, settings);
    first.pose = world_->spawn_pose(*start.world_seed);
    first.truth = truth_view(first.pose);
    first.dream = *first.truth;
  } else if (start.world_seed) {
    throw UserError("--world-seed needs a navigation model (actions forward, strafe, turn); this one is driven by " +
                    std::to_string(info.schema.dimension()) + " other actions, so give --start IMAGE");
  } else {
    if (start.image.width <= 0) throw UserError("the start image is empty");
    first.dream = start.image.same_size(Image(info.width, info.height))
                      ? start.image
                      : resize_image(start.image, info.width, info.height);
  }
  simulator_.reset_single({first.dream}, seed_);
  first.psnr = first.truth ? model::kPsnrCap : 0.0;
  first.state = simulator_.save_state();
  timeline_.clear();
  timeline_.push_back(std::move(first));
  current_ = 0;
}

void Session::step(const std::vector<float>& action) {
  assert(!timeline_.empty());
  if (current_ + 1 < length()) timeline_.resize(static_cast<size_t>(current_) + 1);  // fork
  TimelineEntry next;
  next.action = action;
  next.dream = simulator_.step_single(action);
  if (world_) {
    const nav::Action move{action[0], action[1], action[2]};
    next.pose = world_->step(now().pose, move);
    next.truth = truth_view(next.pose);
    next.psnr = frame_psnr(next.dream, *next.truth);
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

double frame_psnr(const Image& a, const Image& b) {
  // MSE only: the SSIM that compare_frames adds would cost more than the step it scores.
  if (!a.same_size(b)) throw UserError("frame_psnr: frames differ in size");
  double sum = 0.0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const double difference = (double(a.pixels[i]) - double(b.pixels[i])) / 255.0;
    sum += difference * difference;
  }
  return model::psnr_from_mse(a.pixels.empty() ? 0.0 : sum / static_cast<double>(a.pixels.size()));
}

Image error_heatmap(const Image& a, const Image& b) {
  if (!a.same_size(b)) return {};
  Image heat(a.width, a.height);
  for (size_t i = 0; i < heat.pixels.size(); i += 3) {
    int error = 0;
    for (int c = 0; c < 3; ++c) error += std::abs(int(a.pixels[i + c]) - int(b.pixels[i + c]));
    // Mean absolute error x4, through black -> red -> yellow -> white, so small errors still show.
    const float t = std::min(1.0f, static_cast<float>(error) * 4.0f / (3.0f * 255.0f));
    heat.pixels[i + 0] = static_cast<std::uint8_t>(255.0f * std::min(1.0f, 3.0f * t));
    heat.pixels[i + 1] = static_cast<std::uint8_t>(255.0f * std::clamp(3.0f * t - 1.0f, 0.0f, 1.0f));
    heat.pixels[i + 2] = static_cast<std::uint8_t>(255.0f * std::clamp(3.0f * t - 2.0f, 0.0f, 1.0f));
  }
  return heat;
}

}  // namespace dw::viewer
