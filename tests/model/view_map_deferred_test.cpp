// The view map under the planner: steps taken without their frames (Simulator::advance) end on
// the frames of ordinary steps, the planner's model imagines last frames as it imagines all, and
// Simulator::recalled_after names the view a walk will end on from its actions alone.
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "model/plan_model.h"
#include "model/simulator.h"
#include "tiny_run.h"
#include "view_map_fixtures.h"

using namespace dw::model;
using namespace dw::model::testing;
using dw::Image;

TEST_CASE("steps taken without their frames end on the frames of ordinary steps, views or not",
          "[model][views][deferred]") {
  // advance() may leave frames undecoded until step() needs them, and drops them for a row that
  // recalls a view first: the last frame must be the one H ordinary steps give. Turning walks
  // leave the corridor's headings (imagined steps) and come back to them (recalled views); the
  // square is a walk the map does not know (every step imagined).
  auto simulator = Simulator::load(corridor_run("deferred_frames_run"));
  simulator->set_place_memory(false);  // with it every frame is decoded at once (tested below)
  const std::vector<std::vector<Image>> starts{{marked_frame(2)}, {testing::moving_square(1, 0)}, {marked_frame(4)}};
  const std::vector<std::vector<std::vector<float>>> actions{
      {{0, 0, 1}, {0.5f, 0, 1}, kForward, {0, 0, -1}, {0.5f, 0, -1}, kForward, {0, 0, 1}},
      {kForward, {0, 0, 1}, kForward, {0, 0, -1}, kForward, kForward, {0, 0, 1}},
      {kForward, {0, 0, -1}, {0.5f, 0.5f, 0}, {0, 0, 1}, kForward, {0, 0, 1}, kForward}};
  const auto step_rows = [&](size_t t) {
    std::vector<std::vector<float>> rows;
    for (const auto& walk : actions) rows.push_back(walk[t]);
    return rows;
  };
  const size_t steps = actions.front().size();
  simulator->reset(starts, {}, 5);
  std::vector<std::vector<Image>> every;
  for (size_t t = 0; t < steps; ++t) every.push_back(simulator->step(step_rows(t)));
  // Only the frames at steps 3 and 7 asked for, with a save and restore between pending steps.
  simulator->reset(starts, {}, 5);
  simulator->advance(step_rows(0));
  simulator->advance(step_rows(1));
  const std::vector<Image> third = simulator->step(step_rows(2));
  simulator->advance(step_rows(3));
  const auto saved = simulator->save_state();
  simulator->advance(step_rows(4));
  simulator->restore_state(saved);
  simulator->advance(step_rows(4));
  simulator->advance(step_rows(5));
  const std::vector<Image> last = simulator->step(step_rows(6));
  for (size_t b = 0; b < starts.size(); ++b) {
    CHECK(max_difference(third[b], every[2][b]) <= 1);  // batched conv rounding of a smaller batch
    CHECK(max_difference(last[b], every[steps - 1][b]) <= 1);
  }
  // The walks differ from frame to frame, so equal last frames say something.
  CHECK(max_difference(every[steps - 1][0], every[steps - 2][0]) > 1);
  CHECK(max_difference(every[steps - 1][1], every[steps - 2][1]) > 1);

  // With the place memory every frame is decoded as it is taken, and the walk is the same too.
  simulator->set_place_memory(true);
  simulator->reset(starts, {}, 5);
  std::vector<std::vector<Image>> remembered;
  for (size_t t = 0; t < steps; ++t) remembered.push_back(simulator->step(step_rows(t)));
  simulator->reset(starts, {}, 5);
  for (size_t t = 0; t + 1 < steps; ++t) simulator->advance(step_rows(t));
  const std::vector<Image> remembered_last = simulator->step(step_rows(steps - 1));
  for (size_t b = 0; b < starts.size(); ++b) CHECK(max_difference(remembered_last[b], remembered[steps - 1][b]) == 0);
}

TEST_CASE("the planner's model imagines last frames alone as it imagines all; the best candidate's are shown",
          "[model][views][deferred]") {
  auto simulator = Simulator::load(corridor_run("deferred_plan_run"));
  REQUIRE(simulator->place_memory());
  auto planning = simulator_planning_model(*simulator, 0);
  const PlanContext context{{marked_frame(2)}, {}, {}};
  const std::vector<ActionSequence> candidates{{kForward, {0, 0, 1}, kForward, {0, 0, -1}, kForward},
                                               // ends 0.4 rad off the corridor's heading: no view
                                               {{0, 0, 1}, {0, 0, 1}, kForward, {0, 0, 1}, {0.5f, 0.5f, 1}},
                                               {kStill, kForward, {0, 0, -1}, kForward, kForward}};
  const auto every = planning->imagine(context, candidates, ImaginedFrames::every);
  const auto last = planning->imagine(context, candidates, ImaginedFrames::last);
  CHECK(simulator->place_memory());  // the planner's imagining leaves the settings as they were
  CHECK(simulator->recall_by_look());
  simulator->set_recall_by_look(false);
  planning->imagine(context, candidates, ImaginedFrames::last);
  CHECK_FALSE(simulator->recall_by_look());
  simulator->set_recall_by_look(true);
  REQUIRE(every.size() == 3);
  REQUIRE(last.size() == 3);
  for (size_t n = 0; n < candidates.size(); ++n) {
    REQUIRE(every[n].size() == 5);
    REQUIRE(last[n].size() == 1);
    CHECK(max_difference(last[n][0], every[n].back()) <= 1);
  }
  // A population of another size from the same context (CEM's later iterations, with kept
  // elites), then the first size again: each candidate's frames do not depend on the batch.
  const auto fewer = planning->imagine(context, {candidates[2], candidates[0]}, ImaginedFrames::every);
  const auto again = planning->imagine(context, candidates, ImaginedFrames::every);
  REQUIRE(fewer.size() == 2);
  for (size_t t = 0; t < 5; ++t) {
    CHECK(max_difference(fewer[0][t], every[2][t]) <= 1);
    CHECK(max_difference(fewer[1][t], every[0][t]) <= 1);
    for (size_t n = 0; n < candidates.size(); ++n) CHECK(max_difference(again[n][t], every[n][t]) <= 1);
  }
  // A goal of candidate 1's last frame: it is the best, and its every frame is shown.
  auto space = pixel_space();
  ImaginedCost cost(*planning, *space, goal_cost(space->embed({every[1].back()}).front()), false);
  const std::vector<double> costs = cost(context, candidates);
  CHECK(costs[1] < costs[0]);
  CHECK(costs[1] < costs[2]);
  const std::vector<Image>& shown = cost.best_frames();
  REQUIRE(shown.size() == 5);
  for (size_t t = 0; t < shown.size(); ++t) CHECK(max_difference(shown[t], every[1][t]) <= 1);
}

TEST_CASE("recalled_after names the view a walk will end on from its actions alone, and changes nothing",
          "[model][views][deferred]") {
  auto simulator = Simulator::load(corridor_run("recalled_after_run"));
  const std::vector<Image> start{marked_frame(2)};
  const std::vector<std::vector<std::vector<float>>> walks{{kForward, {0, 0, 1}, kForward, {0, 0, -1}, kForward},
                                                           // ends 0.4 rad off the corridor's heading: no view
                                                           {{0, 0, 1}, {0, 0, 1}, kForward, {0, 0, 1}, {0.5f, 0.5f, 1}},
                                                           {kStill, kForward, {0, 0, -1}, {0, 0, 1}, kForward}};
  const auto step_rows = [&](size_t t) {
    std::vector<std::vector<float>> rows;
    for (const auto& walk : walks) rows.push_back(walk[t]);
    return rows;
  };
  // The walks' last frames stepped plainly, and what recalled_after said just before the same walks.
  const auto compare = [&](std::vector<std::optional<Image>>& recalled) {
    simulator->reset_repeated(start, {}, 3, 0);
    std::vector<Image> plain;
    for (size_t t = 0; t < walks.front().size(); ++t) plain = simulator->step(step_rows(t));
    simulator->reset_repeated(start, {}, 3, 0);
    recalled = simulator->recalled_after(walks);
    std::vector<Image> after;  // the walks go on from where they were
    for (size_t t = 0; t < walks.front().size(); ++t) after = simulator->step(step_rows(t));
    REQUIRE(recalled.size() == walks.size());
    for (size_t b = 0; b < walks.size(); ++b) {
      CHECK(max_difference(after[b], plain[b]) == 0);
      if (recalled[b]) CHECK(max_difference(*recalled[b], plain[b]) == 0);  // a view named is the frame shown
    }
  };
  std::vector<std::optional<Image>> recalled;
  // With the place memory on, a remembered state may answer first: nothing is named.
  REQUIRE(simulator->place_memory());
  compare(recalled);
  for (const auto& frame : recalled) CHECK_FALSE(frame.has_value());
  // With moved views, only a view already at the walk's pose is shown as it was seen.
  simulator->set_place_memory(false);
  REQUIRE(simulator->move_views());
  compare(recalled);
  simulator->set_move_views(false);
  compare(recalled);
  REQUIRE(recalled[0].has_value());
  CHECK(max_difference(*recalled[0], marked_frame(5)) == 0);  // three steps forward from view 2
  CHECK_FALSE(recalled[1].has_value());
  REQUIRE(recalled[2].has_value());
  CHECK(max_difference(*recalled[2], marked_frame(4)) == 0);  // two steps forward, a turn there and back
  // Another number of walks than the simulator holds: nothing is named.
  simulator->reset_repeated(start, {}, 2, 0);
  for (const auto& frame : simulator->recalled_after(walks)) CHECK_FALSE(frame.has_value());
}
