#include "model/wall_contact.h"

#include <algorithm>
#include <cmath>

#include "nav/base/user_error.h"

namespace dw::model {
namespace {

// A component this small is what rounding leaves of a move the wall took out entirely.
float snap(float value) { return std::fabs(value) < 1e-4f ? 0.0f : value; }

void check_action(const std::vector<float>& action) {
  if (action.size() != 3) throw UserError("wall contact: a navigation action has 3 values");
}

}  // namespace

WallContact::WallContact(const data::ActionSchema& schema, WallContactOptions options)
    : navigation_(schema.is_navigation()), options_(options) {
  if (navigation_) limits_ = data::world_settings_for(schema).limits;
}

std::vector<std::vector<std::vector<float>>> WallContact::start(
    const std::vector<std::vector<Image>>& frames, const std::vector<std::vector<std::vector<float>>>& actions,
    std::int64_t batch) {
  poses_.assign(static_cast<std::size_t>(batch), nav::Pose{});
  walls_.assign(static_cast<std::size_t>(batch), Wall{});
  if (!active() || actions.empty()) return actions;
  std::vector<std::vector<std::vector<float>>> moved = actions;
  for (std::size_t start = 0; start < frames.size(); ++start) {
    nav::Pose pose;
    Wall wall;
    for (std::size_t gap = 0; gap < actions.at(start).size() && gap + 1 < frames[start].size(); ++gap) {
      const std::vector<float>& asked = actions[start][gap];
      check_action(asked);
      if (rms_difference(frames[start][gap], frames[start][gap + 1]) < options_.same_rms) {
        // Nothing moved. If the action asked to, something stood in the way.
        const nav::Motion motion = nav::intended_motion(pose, {asked[0], asked[1], 0.0f}, limits_);
        const float length = std::hypot(motion.dx, motion.dy);
        if (length > 0.0f) wall = {true, pose, motion.dx / length, motion.dy / length};
        moved[start][gap] = {0.0f, 0.0f, 0.0f};
        continue;
      }
      nav::Pose to;
      moved[start][gap] = happened(pose, asked, wall, to);
      pose = to;
    }
    if (frames.size() == static_cast<std::size_t>(batch)) {
      poses_[start] = pose;
      walls_[start] = wall;
    } else {  // one start for the whole batch
      poses_.assign(static_cast<std::size_t>(batch), pose);
      walls_.assign(static_cast<std::size_t>(batch), wall);
    }
  }
  return moved;
}

std::vector<std::vector<float>> WallContact::apply(const std::vector<std::vector<float>>& actions) {
  if (!active()) return actions;
  if (actions.size() != poses_.size()) throw UserError("wall contact: one action per trajectory is needed");
  std::vector<std::vector<float>> moved;
  moved.reserve(actions.size());
  for (std::size_t b = 0; b < actions.size(); ++b) {
    check_action(actions[b]);
    nav::Pose to;
    moved.push_back(happened(poses_[b], actions[b], walls_[b], to));
    poses_[b] = to;
  }
  return moved;
}

std::vector<float> WallContact::happened(const nav::Pose& pose, const std::vector<float>& action, const Wall& wall,
                                         nav::Pose& to) const {
  const nav::Motion motion = nav::intended_motion(pose, {action[0], action[1], action[2]}, limits_);
  to = {pose.x + motion.dx, pose.y + motion.dy, motion.yaw};
  if (!wall.met || std::hypot(pose.x - wall.at.x, pose.y - wall.at.y) > options_.reach) return action;
  const float depth = (to.x - wall.at.x) * wall.normal_x + (to.y - wall.at.y) * wall.normal_y;
  if (depth <= 0.0f) return action;
  // Slide: keep the move along the wall, take out the part into it.
  to.x -= depth * wall.normal_x;
  to.y -= depth * wall.normal_y;
  // Forward and strafe have different limits, so a slide can need more of one than a step gives:
  // clamped, and the pose is where the clamped action leads, as every memory will reckon it.
  const nav::Action moved = nav::action_between(pose, to, limits_);
  const std::vector<float> slid{snap(std::clamp(moved.forward, -1.0f, 1.0f)), snap(std::clamp(moved.strafe, -1.0f, 1.0f)),
                                action[2]};
  to = nav::free_step(pose, {slid[0], slid[1], slid[2]}, limits_);
  return slid;
}

}  // namespace dw::model
