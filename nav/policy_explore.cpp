// Coverage exploration: keeps a visit count per cell, plans a breadth-first path to the nearest
// unvisited cell, and steers along it with smooth actions. When every cell has been visited a new
// round starts, so long episodes keep sweeping the whole map. The bookkeeping (CoverageMap) is
// shared with the keys policy.
#include <cmath>
#include <deque>
#include <vector>

#include "nav/policy_common.h"
#include "nav/portable_math.h"

namespace dw::nav {

namespace {

constexpr int kStuckSteps = 40;        // steps without progress before the target is dropped
constexpr float kStuckDistance = 0.15f;
constexpr int kLookahead = 3;          // path cells the steering may skip when in clear sight

bool clear_line(const World& world, const Pose& pose, float wx, float wy) {
  const float dx = wx - pose.x, dy = wy - pose.y;
  const float distance = std::sqrt(dx * dx + dy * dy);
  if (distance < 1e-3f) return true;
  const float angle = static_cast<float>(portable_atan2(dy, dx));
  const float offset = world.settings().agent_radius * 1.3f;
  const float nx = -dy / distance * offset, ny = dx / distance * offset;
  return world.ray_distance(pose.x, pose.y, angle, distance) >= distance &&
         world.ray_distance(pose.x + nx, pose.y + ny, angle, distance) >= distance &&
         world.ray_distance(pose.x - nx, pose.y - ny, angle, distance) >= distance;
}

class ExplorePolicy : public Policy {
 public:
  explicit ExplorePolicy(std::uint64_t seed) : rng_(mix_seed(seed, 13)) {}

  Action next_action(const World& world, const Pose& pose) override {
    const int cell = coverage_.visit(world, pose);
    track_progress(pose);
    coverage_.update_path(world, cell, rng_);
    return steer(world, pose);
  }

 private:
  // Drops a target that the agent cannot seem to reach (e.g. stuck on a pillar corner).
  void track_progress(const Pose& pose) {
    const float moved = std::sqrt((pose.x - anchor_.x) * (pose.x - anchor_.x) + (pose.y - anchor_.y) * (pose.y - anchor_.y));
    if (moved > kStuckDistance) {
      anchor_ = pose;
      steps_since_progress_ = 0;
    } else if (++steps_since_progress_ > kStuckSteps && coverage_.has_target()) {
      coverage_.drop_target();
      steps_since_progress_ = 0;
      escape_turn_ = rng_.uniform_int(0, 1) ? 1.0f : -1.0f;
      escape_steps_ = 12;
    }
  }

  Action steer(const World& world, const Pose& pose) {
    Action desired;
    if (escape_steps_ > 0) {
      --escape_steps_;
      desired.turn = escape_turn_;
      desired.forward = -0.3f;
    } else if (coverage_.has_path()) {
      float wx = 0.0f, wy = 0.0f;
      coverage_.next_waypoint(world, pose, wx, wy);
      const float error = wrap_pi(static_cast<float>(portable_atan2(wy - pose.y, wx - pose.x)) - pose.yaw);
      const float max_turn = world.settings().limits.max_turn;
      desired.turn = std::clamp(error / (3.0f * max_turn), -1.0f, 1.0f);
      // Turn mostly on the spot: at full speed the turning circle is over a cell wide.
      desired.forward = std::max(0.0f, 1.0f - std::fabs(error) / 0.6f);
      desired.strafe = 0.25f * wander_.next(rng_);
    } else {
      desired.turn = 0.5f;  // nothing to explore (one-cell world): look around
    }
    action_ = smooth_toward(action_, desired);
    return action_;
  }

  Rng rng_;
  Wander wander_{0.05f, 0.1f};
  Action action_;
  CoverageMap coverage_;
  Pose anchor_;
  int steps_since_progress_ = 0;
  float escape_turn_ = 0.0f;
  int escape_steps_ = 0;
};

}  // namespace

int CoverageMap::visit(const World& world, const Pose& pose) {
  if (width_ != world.width() || height_ != world.height()) {
    width_ = world.width();
    height_ = world.height();
    visits_.assign(static_cast<size_t>(width_) * height_, 0);
    target_ = -1;
    last_cell_ = -1;
    round_ = 1;
  }
  const int x = std::clamp(static_cast<int>(std::floor(pose.x)), 0, width_ - 1);
  const int y = std::clamp(static_cast<int>(std::floor(pose.y)), 0, height_ - 1);
  const int cell = y * width_ + x;
  if (cell != last_cell_) {
    ++visits_[cell];
    last_cell_ = cell;
  }
  return cell;
}

void CoverageMap::drop_target() {
  if (target_ < 0) return;
  visits_[target_] = round_;
  target_ = -1;
}

// Breadth-first search from `start`; fills parents_ and returns the first cell matching `wanted`.
template <typename Wanted>
int CoverageMap::search(const World& world, int start, Rng& rng, Wanted wanted) {
  parents_.assign(visits_.size(), -1);
  parents_[start] = start;
  std::deque<int> queue{start};
  // Seeded neighbour order, so different seeds break ties differently.
  static const int kSteps[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  const int rotation = rng.uniform_int(0, 3);
  while (!queue.empty()) {
    const int index = queue.front();
    queue.pop_front();
    if (index != start && wanted(index)) return index;
    const int x = index % width_, y = index / width_;
    for (int k = 0; k < 4; ++k) {
      const int nx = x + kSteps[(k + rotation) % 4][0], ny = y + kSteps[(k + rotation) % 4][1];
      if (world.is_wall(nx, ny) || parents_[ny * width_ + nx] != -1) continue;
      parents_[ny * width_ + nx] = index;
      queue.push_back(ny * width_ + nx);
    }
  }
  return -1;
}

void CoverageMap::build_path(int start, int goal) {
  path_.clear();
  for (int at = goal; at != start && at >= 0; at = parents_[at]) path_.push_back(at);
}

void CoverageMap::update_path(const World& world, int cell, Rng& rng) {
  if (target_ >= 0 && visits_[target_] < round_ && !path_.empty()) {
    const int goal = target_;
    search(world, cell, rng, [&](int index) { return index == goal; });
    build_path(cell, goal);
    return;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int goal = search(world, cell, rng, [&](int index) { return visits_[index] < round_; });
    if (goal >= 0) {
      target_ = goal;
      build_path(cell, goal);
      return;
    }
    ++round_;  // everything visited this round: start sweeping again
  }
  target_ = -1;
  path_.clear();
}

void CoverageMap::next_waypoint(const World& world, const Pose& pose, float& x, float& y) const {
  int pick = static_cast<int>(path_.size()) - 1;
  for (int k = 1; k < kLookahead && pick - 1 >= 0; ++k) {
    const int candidate = path_[pick - 1];
    if (!clear_line(world, pose, candidate % width_ + 0.5f, candidate / width_ + 0.5f)) break;
    --pick;
  }
  x = path_[pick] % width_ + 0.5f;
  y = path_[pick] / width_ + 0.5f;
}

std::unique_ptr<Policy> make_explore_policy(std::uint64_t seed) {
  return std::make_unique<ExplorePolicy>(seed);
}

}  // namespace dw::nav
