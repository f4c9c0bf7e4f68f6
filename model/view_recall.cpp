#include "model/view_recall.h"

#include <algorithm>
#include <cmath>

#include "nav/base/user_error.h"

namespace dw::model {
namespace {

// What a start frame counts for when no view stands near where it would have been taken.
constexpr double kUnseenDifference = 0.3;

}  // namespace

ViewRecall::ViewRecall(std::shared_ptr<const ViewMap> map, const data::ActionSchema& schema,
                       ViewRecallOptions options)
    : map_(std::move(map)), navigation_(schema.is_navigation()), options_(options) {
  if (navigation_) limits_ = data::world_settings_for(schema).limits;
}

void ViewRecall::locate(const std::vector<std::vector<Image>>& frames,
                        const std::vector<std::vector<std::vector<float>>>& actions) {
  const std::size_t batch = frames.size();
  located_.assign(batch, false);
  placed_by_look_.assign(batch, false);
  scores_.assign(batch, std::numeric_limits<double>::infinity());
  worlds_.assign(batch, 0);
  poses_.assign(batch, nav::Pose{});
  imagined_.assign(batch, 0);
  since_start_.assign(batch, true);
  own_poses_.assign(batch, nav::Pose{});
  start_views_.reset();
  if (!map_ || !navigation_) return;  // located whether on or off, so switching on later is right
  const std::vector<std::vector<float>> none;
  const auto actions_of = [&](std::size_t b) -> const std::vector<std::vector<float>>& {
    return actions.empty() ? none : actions[b];
  };
  auto start_views = std::make_shared<std::vector<StartViews>>(batch);
  for (std::size_t b = 0; b < batch; ++b) {
    // A planner's population starts as many rows from one start: it is found once and remembered.
    const Guess guess = remembered_guess(frames[b], actions_of(b));
    scores_[b] = guess.score;
    if (guess.index < 0 || guess.score > options_.locate_rms) {
      // Not located: its looks will ask its start frames, kept with where each was taken.
      const std::vector<nav::Pose> path = nav::free_path(actions_of(b), frames[b].size(), limits_);
      for (std::size_t t = 0; t < frames[b].size(); ++t) {
        (*start_views)[b].push_back({nav::relative(path.back(), path[t]), ViewMap::thumbnail_of(frames[b][t])});
      }
      continue;
    }
    located_[b] = true;
    worlds_[b] = map_->view(guess.index).world;
    poses_[b] = map_->view(guess.index).pose;
  }
  start_views_ = std::move(start_views);
}

ViewRecall::Guess ViewRecall::remembered_guess(const std::vector<Image>& frames,
                                               const std::vector<std::vector<float>>& actions) {
  LastStart& last = *last_start_;
  if (last.frames.empty() || !same_images(frames, last.frames) || actions != last.actions) {
    last = {frames, actions, best_guess(frames, actions)};
  }
  return last.guess;
}

ViewRecall::Guess ViewRecall::best_guess(const std::vector<Image>& frames,
                                         const std::vector<std::vector<float>>& actions) const {
  const std::vector<nav::Pose> path = nav::free_path(actions, frames.size(), limits_);
  const nav::Pose& last = path.back();
  std::vector<Image> thumbnails;
  for (const Image& frame : frames) thumbnails.push_back(ViewMap::thumbnail_of(frame));
  Guess best;
  for (const ViewMatch& match : map_->candidates(frames.back(), options_.locate_guesses)) {
    const View& view = map_->view(match.index);
    double total = map_->coarse_difference(match.index, thumbnails.back());
    for (std::size_t t = 0; t + 1 < frames.size(); ++t) {
      const nav::Pose there = nav::compose(view.pose, nav::relative(last, path[t]));
      const double closest =
          map_->closest_looking(view.world, there, options_.locate_radius, options_.locate_yaw, thumbnails[t]);
      total += std::min(closest, kUnseenDifference);
    }
    const double score = total / static_cast<double>(frames.size());
    if (score < best.score) best = {match.index, score};
  }
  return best;
}

void ViewRecall::move(const std::vector<std::vector<float>>& actions) {
  if (!map_ || !navigation_) return;
  if (actions.size() != poses_.size()) throw UserError("view recall: one action per trajectory is needed");
  for (std::size_t b = 0; b < poses_.size(); ++b) {
    const std::vector<float>& a = actions[b];
    if (a.size() != 3) throw UserError("view recall: a navigation action has 3 values");
    own_poses_[b] = nav::free_step(own_poses_[b], {a[0], a[1], a[2]}, limits_);
    const nav::Pose from = poses_[b];
    nav::Pose to = nav::free_step(from, {a[0], a[1], a[2]}, limits_);
    if (located_[b] && !is_free(worlds_[b], to.x, to.y)) {  // a wall: slide along one axis, or stop
      if (is_free(worlds_[b], to.x, from.y)) {
        to.y = from.y;
      } else if (is_free(worlds_[b], from.x, to.y)) {
        to.x = from.x;
      } else {
        to.x = from.x;
        to.y = from.y;
      }
    }
    poses_[b] = to;
    ++imagined_[b];
  }
}

bool ViewRecall::is_free(std::uint64_t world, float x, float y) const {
  constexpr float kAnyHeading = 4.0f;
  if (options_.free_radius <= 0.0f) return true;
  return map_->nearest(world, {x, y, 0.0f}, options_.free_radius, kAnyHeading, 0.0f).index >= 0;
}

std::vector<int> ViewRecall::choose(const std::vector<bool>& busy) {
  std::vector<int> chosen(poses_.size(), -1);
  if (!active()) return chosen;
  for (std::size_t b = 0; b < poses_.size(); ++b) {
    if (!located_[b] || busy.at(b)) continue;
    // After the true start frames the ramp waits start_delay steps: the model's first frame from
    // them is better than any view from aside.
    const int ramped = imagined_[b] - (since_start_[b] ? options_.start_delay : 0);
    if (ramped <= 0) continue;
    // Views that will be moved to the pose ramp up more slowly: a nearer view moves there in one step.
    const int ramp_steps = moved(b) ? options_.moved_ramp_steps : options_.ramp_steps;
    const float ramp = std::min(1.0f, static_cast<float>(ramped) / static_cast<float>(ramp_steps));
    const NearestView nearest = map_->nearest(worlds_[b], poses_[b], ramp * options_.position_tolerance,
                                              ramp * options_.yaw_tolerance, options_.yaw_weight);
    if (nearest.index < 0) continue;
    chosen[b] = nearest.index;
    imagined_[b] = 0;
    since_start_[b] = false;
  }
  return chosen;
}

bool ViewRecall::moved(std::size_t b) const {
  return move_views_ && options_.correct_steps > 0 && !placed_by_look_.at(b);
}

std::vector<std::vector<float>> ViewRecall::correction(std::int64_t b, int view) const {
  constexpr float kThere = 0.01f;  // cells (of each action's reach) and radians: close enough
  std::vector<std::vector<float>> actions;
  // Never for a walk placed by a look (moved()): it stands where a look-alike was seen, a guess,
  // and moving views toward that pose only blurred them (test_unseen's sharpness 0.70 -> 0.61).
  if (!moved(b)) return actions;
  const nav::Pose& target = poses_.at(static_cast<std::size_t>(b));
  nav::Pose shown = map_->view(view).pose;
  for (int step = 0; step < options_.correct_steps; ++step) {
    const nav::Action a = nav::action_between(shown, target, limits_);
    if (std::fabs(a.forward * limits_.max_forward) < kThere && std::fabs(a.strafe * limits_.max_strafe) < kThere &&
        std::fabs(a.turn * limits_.max_turn) < kThere) {
      break;
    }
    const auto unit = [](float value) { return std::clamp(value, -1.0f, 1.0f); };
    actions.push_back({unit(a.forward), unit(a.strafe), unit(a.turn)});
    shown = nav::free_step(shown, {actions.back()[0], actions.back()[1], actions.back()[2]}, limits_);
  }
  return actions;
}

bool ViewRecall::looks() const {
  if (!active() || !look_ || options_.look_rms <= 0.0) return false;
  for (std::size_t b = 0; b < located_.size(); ++b) {
    if (!located_[b] || placed_by_look_[b]) return true;
  }
  return false;
}

void ViewRecall::choose_by_look(std::vector<int>& chosen, const std::vector<bool>& busy,
                                const std::function<Image(std::int64_t)>& frame_of) {
  if (!looks()) return;
  for (std::size_t b = 0; b < located_.size(); ++b) {
    if (chosen.at(b) >= 0 || busy.at(b)) continue;
    if (located_[b] && !placed_by_look_[b]) continue;  // located by its start frames: recalls by pose
    if (imagined_[b] < (located_[b] ? options_.relook_steps : options_.look_steps)) continue;
    // Looked at every look_steps steps, found or not: a search reads every view of the map.
    imagined_[b] = 0;
    const int found = look_up(b, frame_of(static_cast<std::int64_t>(b)));
    if (found < 0) continue;
    chosen[b] = found;
    const View& view = map_->view(chosen[b]);
    located_[b] = true;
    placed_by_look_[b] = true;
    worlds_[b] = view.world;
    poses_[b] = view.pose;
    since_start_[b] = false;
  }
}

int ViewRecall::look_up(std::size_t b, const Image& frame) const {
  const Image thumbnail = ViewMap::thumbnail_of(frame);
  const bool ask_start = options_.look_start_rms > 0.0;
  const StartViews& starts = start_views_->at(b);
  int best = -1;
  double best_score = std::numeric_limits<double>::infinity();
  for (const ViewMatch& match : map_->candidates(frame, ask_start ? std::max(1, options_.look_guesses) : 1)) {
    const double look = map_->coarse_difference(match.index, thumbnail);
    if (look > options_.look_rms) continue;
    if (!ask_start) return match.index;
    // As locate() scores a guess: each start frame against the views seen from where it would
    // have been taken, were the walk standing where this view was seen.
    const View& view = map_->view(match.index);
    double total = look;
    for (const StartView& start : starts) {
      const nav::Pose there = nav::compose(view.pose, nav::relative(own_poses_[b], start.pose));
      total += std::min(kUnseenDifference, map_->closest_looking(view.world, there, options_.locate_radius,
                                                                 options_.locate_yaw, start.thumbnail));
    }
    const double score = total / static_cast<double>(starts.size() + 1);
    if (score <= options_.look_start_rms && score < best_score) {
      best = match.index;
      best_score = score;
    }
  }
  return best;
}

}  // namespace dw::model
