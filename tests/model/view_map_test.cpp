// The view map (views of training walks kept by pose) and its recall in the Simulator: nearest
// views by pose and world, locating a start frame, sliding along walls, thinning, the file, and a
// walk that comes to a remembered pose showing that view; batched equals single; off = without.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <random>

#include "datasets/dataset.h"
#include "datasets/generate.h"
#include "model/plan_model.h"
#include "model/safetensors.h"
#include "model/simulator.h"
#include "model/view_map.h"
#include "model/view_recall.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"
#include "tiny_run.h"
#include "view_map_fixtures.h"

using namespace dw::model;
using dw::Image;

using namespace dw::model::testing;


TEST_CASE("the nearest view is found by pose, heading and world", "[model][views]") {
  ViewMap map = corridor(10);
  map.add({2, {0.36f, 0.0f, 0.0f}}, marked_frame(20));  // the same place in another world
  const NearestView near = map.nearest(1, {0.37f, 0.01f, 0.02f}, 0.1f, 0.1f, 1.0f);
  CHECK(near.index == 3);
  CHECK(near.distance == Approx(std::hypot(0.01f, 0.01f)).margin(1e-5));
  CHECK(map.nearest(2, {0.37f, 0.0f, 0.0f}, 0.1f, 0.1f, 1.0f).index == 10);
  CHECK(map.nearest(1, {0.37f, 0.5f, 0.0f}, 0.1f, 0.1f, 1.0f).index == -1);  // too far
  CHECK(map.nearest(1, {0.36f, 0.0f, 0.5f}, 0.1f, 0.1f, 1.0f).index == -1);  // facing elsewhere
  CHECK(map.nearest(3, {0.36f, 0.0f, 0.0f}, 0.1f, 0.1f, 1.0f).index == -1);  // a world it has not seen
  // Across a grid line and the heading's wrap-around.
  ViewMap wrapped;
  wrapped.add({1, {0.98f, 2.0f, 3.1f}}, marked_frame(1));
  CHECK(wrapped.nearest(1, {1.02f, 2.0f, -3.1f}, 0.1f, 0.1f, 1.0f).index == 0);
}

TEST_CASE("a frame of the map is located as itself; candidates rank by pixel difference", "[model][views]") {
  const ViewMap map = corridor(10);
  const auto matches = map.candidates(marked_frame(6), 3);
  REQUIRE(matches.size() == 3);
  CHECK(matches[0].index == 6);
  CHECK(matches[0].rms == 0.0);
  CHECK(matches[1].rms >= matches[0].rms);
  CHECK(matches[2].rms >= matches[1].rms);
  CHECK_THROWS_AS(map.candidates(marked_frame(6, 32), 1), dw::UserError);
}

TEST_CASE("candidates are the views a search of every thumbnail would rank first", "[model][views]") {
  // The search passes over views by a lower bound from block sums; it must keep exactly the views
  // a full comparison of every thumbnail keeps (dark and bright frames, some near the query).
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255);
  ViewMap map;
  Image query(32, 32);
  for (auto& value : query.pixels) value = static_cast<std::uint8_t>(byte(random) / 4);
  for (int i = 0; i < 300; ++i) {
    Image frame(32, 32);
    const int scale = 1 + i % 4;
    for (size_t p = 0; p < frame.pixels.size(); ++p) {
      frame.pixels[p] = i % 7 == 0 ? static_cast<std::uint8_t>(std::min(255, query.pixels[p] + byte(random) % 24))
                                   : static_cast<std::uint8_t>(byte(random) / scale);
    }
    map.add({1, {static_cast<float>(i), 0.0f, 0.0f}}, frame);
  }
  const Image thumbnail = ViewMap::thumbnail_of(query);
  std::vector<std::pair<double, int>> all;
  for (int i = 0; i < 300; ++i) all.emplace_back(map.coarse_difference(i, thumbnail), i);
  std::sort(all.begin(), all.end());
  std::vector<ViewMatch> expected;
  for (int c = 0; c < 24; ++c) expected.push_back({all[c].second, map.difference(all[c].second, query)});
  std::sort(expected.begin(), expected.end(), [](const ViewMatch& a, const ViewMatch& b) { return a.rms < b.rms; });
  const std::vector<ViewMatch> found = map.candidates(query, 10);
  REQUIRE(found.size() == 10);
  for (int c = 0; c < 10; ++c) {
    CHECK(found[c].index == expected[c].index);
    CHECK(found[c].rms == expected[c].rms);
  }
}

TEST_CASE("a walk finds itself from its start frames and recalls the view at its pose", "[model][views]") {
  auto map = std::make_shared<const ViewMap>(corridor(12));
  ViewRecallOptions options;
  options.position_tolerance = 0.1f;
  options.ramp_steps = 2;
  options.moved_ramp_steps = 2;  // the walk's views are moved to its pose
  options.free_radius = 0.0f;
  ViewRecall recall(map, kNavigation, options);
  // Start frames 2, 3, 4 walking forward: the walk stands at view 4's pose.
  recall.locate({{marked_frame(2), marked_frame(3), marked_frame(4)}, {Image(16, 16)}},
                {{kForward, kForward}, {}});
  REQUIRE(recall.located(0));
  CHECK(recall.pose(0).x == Approx(0.48f));
  CHECK(recall.locate_score(0) == 0.0);  // each start frame is a view of the map
  CHECK_FALSE(recall.located(1));  // a black frame is like no view
  CHECK(recall.locate_score(1) > ViewRecallOptions{}.locate_rms);
  const std::vector<float> half{0.5f, 0.0f, 0.0f};
  recall.move({half, half});  // x = 0.54: 0.06 from views 4 and 5, beyond half the tolerance
  CHECK(recall.choose({false, false}) == std::vector<int>{-1, -1});  // the model's own first step
  recall.move({{0.75f, 0.0f, 0.0f}, half});  // x = 0.63: view 5 is 0.03 away, within the whole tolerance
  CHECK(recall.choose({false, false}) == std::vector<int>{5, -1});
  CHECK(recall.choose({false, false}) == std::vector<int>{-1, -1});  // counted as seen: the ramp starts again
  recall.move({kForward, kForward});
  recall.move({kForward, kForward});
  CHECK(recall.choose({true, false}) == std::vector<int>{-1, -1});  // another memory answered
  recall.set_enabled(false);
  recall.move({kForward, kForward});
  CHECK(recall.choose({false, false}) == std::vector<int>{-1, -1});
}

TEST_CASE("no view is recalled at the first step after the true start frames, only after it", "[model][views]") {
  auto map = std::make_shared<const ViewMap>(corridor(12));
  ViewRecallOptions options;
  options.position_tolerance = 0.1f;
  options.ramp_steps = 1;  // the whole tolerance one step after a seen frame
  options.free_radius = 0.0f;
  const std::vector<float> still{0.0f, 0.0f, 0.0f};
  const auto walk = [&](int start_delay) {
    options.start_delay = start_delay;
    ViewRecall recall(map, kNavigation, options);
    recall.locate({{marked_frame(2), marked_frame(3), marked_frame(4)}}, {{kForward, kForward}});
    REQUIRE(recall.located(0));  // standing on view 4
    std::vector<int> shown;
    for (int t = 0; t < 3; ++t) {
      recall.move({still});
      shown.push_back(recall.choose({false}).front());
    }
    return shown;
  };
  CHECK(walk(1) == std::vector<int>{-1, 4, 4});  // the model's own first frame; after a recall no delay
  CHECK(walk(0) == std::vector<int>{4, 4, 4});
}

// Recall options for the corridor: a look every `look_steps`, and once placed, the view at the pose
// (within 0.05 cells) one step after the last. The start frames are not asked (look_start_rms 0):
// these walks start on black frames, like nothing in the map.
ViewRecallOptions look_options(int look_steps) {
  ViewRecallOptions options;
  options.look_steps = look_steps;
  options.look_start_rms = 0.0;
  options.ramp_steps = 1;
  options.position_tolerance = 0.05f;
  options.free_radius = 0.0f;
  return options;
}

TEST_CASE("an unlocated walk takes the view that looks like its imagined frame, every look_steps", "[model][views]") {
  ViewRecallOptions options = look_options(2);
  ViewRecall recall(std::make_shared<const ViewMap>(corridor(12)), kNavigation, options);
  // Rows 0 and 1 start on black frames (like no view): not located. Row 2 starts on view 3.
  recall.locate({{Image(16, 16)}, {Image(16, 16)}, {marked_frame(3)}}, {});
  REQUIRE_FALSE(recall.located(0));
  REQUIRE_FALSE(recall.located(1));
  REQUIRE(recall.located(2));
  CHECK_FALSE(recall.placed_by_look(2));
  CHECK(recall.looks());
  std::vector<std::int64_t> asked;
  // Row 0 imagines a frame like view 7; row 1 a black one, like nothing in the map.
  const auto frame_of = [&asked](std::int64_t b) {
    asked.push_back(b);
    return b == 0 ? marked_frame(7) : Image(16, 16);
  };
  const std::vector<bool> none_busy{false, false, false};
  const auto step = [&](const std::vector<bool>& busy) {
    recall.move({kForward, kForward, kForward});
    std::vector<int> chosen = recall.choose(busy);
    recall.choose_by_look(chosen, busy, frame_of);
    return chosen;
  };
  CHECK(step(none_busy)[0] == -1);  // one step on its own: too soon
  CHECK(asked.empty());
  const std::vector<int> second = step(none_busy);
  CHECK(second[0] == 7);
  CHECK(second[1] == -1);  // nothing within look_rms
  CHECK(asked == std::vector<std::int64_t>{0, 1});  // the located row is never asked
  // Row 0 now stands where view 7 was seen, and walks on from there by pose: one step forward is view 8.
  CHECK(recall.located(0));
  CHECK(recall.placed_by_look(0));
  CHECK(recall.pose(0).x == Approx(0.84f));
  CHECK_FALSE(recall.located(1));
  asked.clear();
  CHECK(step(none_busy)[0] == 8);
  CHECK(asked.empty());  // row 1 looked a step ago and found nothing: it waits look_steps again
  CHECK(step({true, false, false})[0] == -1);  // another memory answered for row 0
  CHECK(asked == std::vector<std::int64_t>{1});  // row 1 looks again, look_steps after its last look
  options.look_rms = 0.0;  // off
  ViewRecall off(std::make_shared<const ViewMap>(corridor(12)), kNavigation, options);
  off.locate({{Image(16, 16)}}, {});
  CHECK_FALSE(off.looks());
}

TEST_CASE("a walk placed by a look looks again after relook_steps steps without a view", "[model][views]") {
  ViewRecallOptions options = look_options(1);
  options.relook_steps = 3;
  options.yaw_tolerance = 0.05f;  // a turn step (0.1 rad) leaves every view behind
  ViewRecall recall(std::make_shared<const ViewMap>(corridor(12)), kNavigation, options);
  recall.locate({{Image(16, 16)}}, {});
  REQUIRE_FALSE(recall.located(0));
  int looks = 0;
  const auto frame_of = [&looks](std::int64_t) {
    ++looks;
    return marked_frame(2);
  };
  const auto step = [&](const std::vector<float>& action) {
    recall.move({action});
    std::vector<int> chosen = recall.choose({false});
    recall.choose_by_look(chosen, {false}, frame_of);
    return chosen.front();
  };
  CHECK(step(kStill) == 2);  // found by look: placed at view 2
  REQUIRE(recall.placed_by_look(0));
  // Turned away (every view of the corridor faces +x), no view is near its pose: it imagines, and
  // after relook_steps steps without one it looks again, and is placed at what it found.
  const std::vector<float> turn{0.0f, 0.0f, 1.0f};
  CHECK(step(turn) == -1);
  CHECK(step(turn) == -1);
  CHECK(looks == 1);
  CHECK(step(turn) == 2);
  CHECK(looks == 2);
  CHECK(recall.pose(0).yaw == Approx(0.0f));
  // A walk located by its start frames never looks.
  ViewRecall located(std::make_shared<const ViewMap>(corridor(12)), kNavigation, options);
  located.locate({{marked_frame(4)}}, {});
  REQUIRE(located.located(0));
  CHECK_FALSE(located.looks());
}

TEST_CASE("a view recalled from aside is moved to the walk's pose by at most correct_steps actions", "[model][views]") {
  auto map = std::make_shared<const ViewMap>(corridor(12));
  ViewRecallOptions options;
  options.free_radius = 0.0f;
  options.correct_steps = 3;
  ViewRecall recall(map, kNavigation, options);
  recall.locate({{marked_frame(4)}, {marked_frame(4)}}, {});
  REQUIRE(recall.located(0));
  recall.move({{0.5f, 0.0f, 0.0f}, kStill});  // x = 0.54; the other walk stays on view 4 (x = 0.48)
  // View 5 (x = 0.60) is 0.06 ahead: half a step back. View 9 (x = 1.08) is 0.54 ahead: three
  // whole steps back, and no more than correct_steps.
  const auto one = recall.correction(0, 5);
  REQUIRE(one.size() == 1);
  CHECK(one[0][0] == Approx(-0.5f).margin(1e-4));
  CHECK(one[0][1] == Approx(0.0f).margin(1e-4));
  CHECK(one[0][2] == Approx(0.0f).margin(1e-4));
  const auto three = recall.correction(0, 9);
  REQUIRE(three.size() == 3);
  for (const auto& action : three) CHECK(action[0] == Approx(-1.0f));
  CHECK(recall.correction(1, 4).empty());  // already there
  recall.set_move_views(false);  // off: the view as it was seen
  CHECK(recall.correction(0, 5).empty());
  // A view seen turned away: the turn comes back, one step's turn at most.
  ViewMap turned;
  turned.add({1, {0.54f, 0.0f, 0.25f}}, marked_frame(1));
  ViewRecall aside(std::make_shared<const ViewMap>(turned), kNavigation, options);
  aside.locate({{marked_frame(1)}}, {});
  REQUIRE(aside.located(0));
  aside.move({{0.0f, 0.0f, -1.0f}});  // heading 0.15: the view, seen at 0.25, is turned 0.1 back
  const auto back = aside.correction(0, 0);
  REQUIRE(back.size() == 1);
  CHECK(back[0][2] == Approx(-1.0f).margin(1e-4));
}

TEST_CASE("a walk whose views are moved widens its recall over moved_ramp_steps", "[model][views]") {
  ViewRecallOptions options;
  options.free_radius = 0.0f;
  options.position_tolerance = 0.1f;
  options.ramp_steps = 1;
  options.moved_ramp_steps = 4;
  options.start_delay = 0;
  const auto first_view = [&](bool move) {
    ViewRecall recall(std::make_shared<const ViewMap>(corridor(12)), kNavigation, options);
    recall.set_move_views(move);
    recall.locate({{marked_frame(4)}}, {});
    recall.move({{0.5f, 0.0f, 0.0f}});  // x = 0.54: 0.06 from views 4 and 5
    return recall.choose({false}).front();
  };
  CHECK(first_view(false) >= 4);  // the whole tolerance (0.1) one step after the start
  CHECK(first_view(true) == -1);  // a quarter of it
}

TEST_CASE("a view found by look is not moved: the walk's pose there is a guess", "[model][views]") {
  ViewRecallOptions options = look_options(1);
  ViewRecall recall(std::make_shared<const ViewMap>(corridor(12)), kNavigation, options);
  recall.locate({{Image(16, 16)}}, {});
  recall.move({kStill});
  std::vector<int> chosen = recall.choose({false});
  recall.choose_by_look(chosen, {false}, [](std::int64_t) { return marked_frame(2); });
  REQUIRE(recall.placed_by_look(0));
  recall.move({{0.5f, 0.0f, 0.0f}});  // 0.06 from view 2 and from view 3
  CHECK(recall.correction(0, 3).empty());
}

TEST_CASE("the earlier start frames settle a start frame that looks like two places", "[model][views]") {
  // View 5 appears twice: at x = 0.60 after views 3, 4 and, in a side corridor at y = 3, after views 8, 9.
  ViewMap map = corridor(6);
  map.add({1, {0.0f, 3.0f, 0.0f}}, marked_frame(8));
  map.add({1, {0.12f, 3.0f, 0.0f}}, marked_frame(9));
  map.add({1, {0.24f, 3.0f, 0.0f}}, marked_frame(5));
  ViewRecall recall(std::make_shared<const ViewMap>(map), kNavigation, {});
  recall.locate({{marked_frame(8), marked_frame(9), marked_frame(5)}, {marked_frame(3), marked_frame(4), marked_frame(5)}},
                {{kForward, kForward}, {kForward, kForward}});
  REQUIRE(recall.located(0));
  REQUIRE(recall.located(1));
  CHECK(recall.pose(0).y == Approx(3.0f));
  CHECK(recall.pose(1).y == Approx(0.0f));
  // Each start alone, and the first again: a guess kept from the start before is not reused for another.
  for (const float y : {0.0f, 3.0f, 0.0f}) {
    const int first = y == 0.0f ? 3 : 8;
    recall.locate({{marked_frame(first), marked_frame(first + 1), marked_frame(5)}}, {{kForward, kForward}});
    REQUIRE(recall.located(0));
    CHECK(recall.pose(0).y == Approx(y));
  }
}

TEST_CASE("where no walk has been is a wall: the dead-reckoned pose slides along it", "[model][views]") {
  // Views on a line along x at y = 0; walking diagonally forward-left keeps only the x motion.
  ViewMap map;
  for (int i = 0; i < 40; ++i) map.add({1, {0.05f * static_cast<float>(i), 0.0f, 0.0f}}, marked_frame(i % 16));
  ViewRecall recall(std::make_shared<const ViewMap>(map), kNavigation, {});
  recall.locate({{marked_frame(0)}}, {});
  REQUIRE(recall.located(0));
  for (int t = 0; t < 8; ++t) recall.move({{0.0f, 0.0f, 1.0f}});  // turn 0.8 rad to the left
  const float before_x = recall.pose(0).x;
  for (int t = 0; t < 30; ++t) recall.move({kForward});
  CHECK(std::fabs(recall.pose(0).y) <= 0.3f);  // never further from the walked line than the free radius
  CHECK(recall.pose(0).x > before_x + 0.5f);   // but it slid along it
}

TEST_CASE("a map of walks generated in memory is the map of the dataset gen writes with the same options",
          "[model][views]") {
  const auto dir = testing::scratch_dir("view_map_generated");
  dw::data::GenerateOptions options;
  options.world_seed = 5;
  options.worlds = 2;  // views of two worlds, kept apart
  options.episodes = 4;
  options.steps = 12;
  options.size = 32;
  options.policy = "explore,keys";
  options.val_episodes = 1;
  options.test_episodes = 1;
  options.unseen_episodes = 1;
  options.threads = 1;
  dw::data::generate_dataset(options, dir / "data", {});
  const ViewMapSpacing spacing{0.05f, 0.05f};
  std::vector<int> progress;
  const ViewMap generated = ViewMap::build_generated(options, spacing, [&](int done, int) { progress.push_back(done); });
  const ViewMap read = ViewMap::build(dir / "data", "train", spacing);
  CHECK(progress == std::vector<int>{1, 2, 3, 4});
  CHECK(generated.size() > 20);
  CHECK(generated.view(0).world != generated.view(static_cast<int>(generated.size()) - 1).world);
  generated.save(dir / "generated.safetensors");
  read.save(dir / "read.safetensors");
  CHECK(testing::read_bytes(dir / "generated.safetensors") == testing::read_bytes(dir / "read.safetensors"));
  // Bad options are named as gen names them.
  options.steps = 0;
  CHECK_THROWS_AS(ViewMap::build_generated(options, spacing), dw::UserError);
}

TEST_CASE("a view map is thinned by spacing, saved and loaded; bad files are one clear error", "[model][views]") {
  const auto dir = testing::scratch_dir("view_map_file");
  // A dataset whose training walk records poses: 14 frames, 0.12 cells apart along x.
  dw::data::Manifest manifest;
  manifest.width = 16;
  manifest.height = 16;
  manifest.schema = kNavigation;
  dw::data::Episode episode = testing::tiny_episode(0, 14, 3);
  episode.meta.world_seed = 7;
  for (int t = 0; t < 14; ++t) episode.poses.push_back({0.12f * static_cast<float>(t), 0.5f, 0.0f});
  dw::data::write_episode(episode, dir / "data" / "train-0");
  manifest.splits["train"] = {"train-0"};
  dw::data::write_manifest(manifest, dir / "data");

  const ViewMap all = ViewMap::build(dir / "data", "train", {0.05f, 0.025f});
  CHECK(all.size() == 14);
  CHECK(all.view(3).world == 7);
  const ViewMap thin = ViewMap::build(dir / "data", "train", {0.5f, 0.025f});  // every 0.5 cells: 4 bins
  CHECK(thin.size() == 4);

  all.save(dir / "map.safetensors");
  const ViewMap loaded = ViewMap::load(dir / "map.safetensors");
  REQUIRE(loaded.size() == all.size());
  CHECK(loaded.view(5).pose.x == all.view(5).pose.x);
  CHECK(max_difference(loaded.frame(5), all.frame(5)) == 0);

  testing::write_text(dir / "bad.safetensors", "not a safetensors file");
  CHECK_THROWS_AS(ViewMap::load(dir / "bad.safetensors"), dw::UserError);
  CHECK_THROWS_AS(ViewMap::load(dir / "missing.safetensors"), dw::UserError);
  // A dataset without poses cannot make a map.
  testing::write_tiny_dataset(dir / "no_poses");
  CHECK_THROWS_WITH(ViewMap::build(dir / "no_poses", "train", {}), Catch::Contains("records poses"));
  CHECK_THROWS_AS(check_view_map_source(manifest, 32, 32, kNavigation, dir / "data"), dw::UserError);
}

TEST_CASE("a map of more views than one block of frames keeps, saves and loads every frame", "[model][views]") {
  const auto dir = testing::scratch_dir("view_map_blocks");
  // 2,500 views (frames are kept 1,024 to a block), each frame its own pattern.
  const auto frame_of = [](int i) {
    dw::Image frame(4, 4);
    for (std::size_t p = 0; p < frame.pixels.size(); ++p) frame.pixels[p] = static_cast<std::uint8_t>((i * 7 + p) % 251);
    return frame;
  };
  ViewMap map;
  for (int i = 0; i < 2500; ++i) map.add({3, {0.01f * static_cast<float>(i), 0.5f, 0.0f}}, frame_of(i));
  for (int i : {0, 1, 1023, 1024, 1025, 2047, 2048, 2499}) CHECK(map.frame(i).pixels == frame_of(i).pixels);
  map.save(dir / "map.safetensors");
  // The file holds the frames one after another, as one tensor.
  const TensorMap file = load_safetensors(dir / "map.safetensors");
  REQUIRE(file.at("frames").sizes() == torch::IntArrayRef({2500, 4, 4, 3}));
  CHECK(std::memcmp(file.at("frames")[1024].data_ptr(), frame_of(1024).pixels.data(), 48) == 0);
  const ViewMap loaded = ViewMap::load(dir / "map.safetensors");
  REQUIRE(loaded.size() == 2500);
  for (int i : {0, 1023, 1024, 2048, 2499}) {
    CHECK(loaded.frame(i).pixels == frame_of(i).pixels);
    CHECK(loaded.view(i).pose.x == map.view(i).pose.x);
  }
  // Saved again, the loaded map is the same file.
  loaded.save(dir / "again.safetensors");
  CHECK(dw::read_whole_file(dir / "again.safetensors") == dw::read_whole_file(dir / "map.safetensors"));
}

TEST_CASE("the Simulator recalls the run's views: a walk into a remembered place shows it", "[model][views]") {
  // A copy of the tiny run with a map whose views are its start frame and the frames further on.
  const auto run = corridor_run("view_map_run");
  auto simulator = Simulator::load(run);
  REQUIRE(simulator->view_map());  // on by default where the run has a map
  const auto walk = [&](const std::vector<std::vector<Image>>& starts) {
    return walk_frames(*simulator, starts, kForward, 4);
  };
  // Located at view 2 (x = 0.24), every forward step stands on the next view: it is shown, from
  // the second step on (the first frame after the start frames is the model's own).
  const auto frames = walk({{marked_frame(2)}});
  CHECK(max_difference(frames[0][0], marked_frame(3)) > 0);
  for (int t = 1; t < 4; ++t) CHECK(max_difference(frames[t][0], marked_frame(3 + t)) == 0);
  // Batched with a walk the map does not know and another it knows (two rows recall at once)
  // equals the three single walks.
  const auto batched = walk({{marked_frame(2)}, {testing::moving_square(1, 0)}, {marked_frame(4)}});
  const auto unknown = walk({{testing::moving_square(1, 0)}});
  const auto further = walk({{marked_frame(4)}});
  for (int t = 0; t < 4; ++t) {
    CHECK(max_difference(batched[t][0], frames[t][0]) == 0);
    CHECK(max_difference(batched[t][1], unknown[t][0]) == 0);
    CHECK(max_difference(batched[t][2], further[t][0]) == 0);
    if (t > 0) CHECK(max_difference(further[t][0], marked_frame(5 + t)) == 0);
  }
  simulator->set_view_map(false);
  CHECK_FALSE(simulator->view_map());
  CHECK(max_difference(walk({{marked_frame(2)}})[2][0], marked_frame(5)) > 0);
  // A map of another frame size is refused when the run loads.
  ViewMap big;
  big.add({1, {}}, marked_frame(0, 32));
  big.save(run / kViewMapFile);
  CHECK_THROWS_WITH(Simulator::load(run), Catch::Contains(kViewMapFile));
}

TEST_CASE("the Simulator shows a view recalled from aside moved to the walk's pose; batched equals single",
          "[model][views]") {
  auto simulator = Simulator::load(corridor_run("moved_views_run"));
  REQUIRE(simulator->move_views());  // on by default
  const std::vector<float> short_step{0.6f, 0.0f, 0.0f};  // 0.072 cells: between the views
  const auto walk = [&](const std::vector<std::vector<Image>>& starts) {
    return walk_frames(*simulator, starts, short_step, 2);
  };
  // Located at view 2 (x = 0.24), the second step stands at x = 0.384: view 3 (x = 0.36) is
  // recalled, and shown moved 0.024 cells on by the model, no longer the view as it was seen.
  const auto moved = walk({{marked_frame(2)}});
  CHECK(max_difference(moved[1][0], marked_frame(3)) > 0);
  // Batched with a walk the map does not know and one that recalls view 5 from aside, it equals
  // the single walks (up to the rounding of a smaller batch's convolutions).
  const auto batched = walk({{marked_frame(2)}, {testing::moving_square(1, 0)}, {marked_frame(4)}});
  const auto unknown = walk({{testing::moving_square(1, 0)}});
  const auto further = walk({{marked_frame(4)}});
  for (int t = 0; t < 2; ++t) {
    CHECK(max_difference(batched[t][0], moved[t][0]) <= 1);
    CHECK(max_difference(batched[t][1], unknown[t][0]) <= 1);
    CHECK(max_difference(batched[t][2], further[t][0]) <= 1);
  }
  CHECK(max_difference(further[1][0], marked_frame(5)) > 0);
  // Off: the view itself.
  simulator->set_move_views(false);
  CHECK_FALSE(simulator->move_views());
  CHECK(max_difference(walk({{marked_frame(2)}})[1][0], marked_frame(3)) == 0);
}

TEST_CASE("a look takes the look-alike whose surroundings look like the walk's start frames", "[model][views]") {
  // Start frames like views 2 and 3 of the corridor, a little brighter, so the walk is not located
  // by them; three steps on, it imagines view 6's frame. The corridor's view 6 is a little off, and
  // elsewhere (y = 3) the very frame is seen, but where the start frames would have been taken
  // were the walk there, white views are seen: unlike them.
  const auto brighter = [](Image image, int by) {
    for (auto& value : image.pixels) value = static_cast<std::uint8_t>(std::min(255, value + by));
    return image;
  };
  Image white(16, 16);
  std::fill(white.pixels.begin(), white.pixels.end(), std::uint8_t{255});
  const auto elsewhere = [&](ViewMap& map) {
    map.add({1, {0.24f, 3.0f, 0.0f}}, white);
    map.add({1, {0.36f, 3.0f, 0.0f}}, white);
    map.add({1, {0.72f, 3.0f, 0.0f}}, marked_frame(6));  // the better look-alike
  };
  const auto taken = [&](const ViewMap& map, double look_start_rms) {
    ViewRecallOptions options = look_options(3);
    options.locate_rms = 0.01;
    options.look_start_rms = look_start_rms;
    ViewRecall recall(std::make_shared<const ViewMap>(map), kNavigation, options);
    recall.locate({{brighter(marked_frame(2), 10), brighter(marked_frame(3), 10)}}, {{kForward}});
    REQUIRE_FALSE(recall.located(0));
    std::vector<int> chosen;
    for (int t = 0; t < 3; ++t) {
      recall.move({kForward});
      chosen = recall.choose({false});
    }
    recall.choose_by_look(chosen, {false}, [](std::int64_t) { return marked_frame(6); });
    CHECK(recall.located(0) == (chosen.front() >= 0));
    return chosen.front();
  };
  ViewMap both = corridor(6);
  both.add({1, {0.72f, 0.0f, 0.0f}}, brighter(marked_frame(6), 6));  // index 6: the corridor's look-alike
  elsewhere(both);                                                   // index 9: the one elsewhere
  CHECK(taken(both, 0.0) == 9);    // the start frames not asked: the better look-alike
  CHECK(taken(both, 0.15) == 6);   // asked: the one in the corridor the walk started in
  ViewMap only_elsewhere;
  elsewhere(only_elsewhere);
  CHECK(taken(only_elsewhere, 0.0) == 2);
  CHECK(taken(only_elsewhere, 0.15) == -1);  // its surroundings are unlike the start: nothing is taken
}

TEST_CASE("a map takes the views of another's worlds after its own, never a world it holds", "[model][views]") {
  ViewMap map = corridor(3);  // world 1
  ViewMap other;
  other.add({2, {0.5f, 0.5f, 0.0f}}, marked_frame(7));
  other.add({3, {1.5f, 0.5f, 0.0f}}, marked_frame(8));
  map.append(other);
  REQUIRE(map.size() == 5);
  CHECK(map.view(3).world == 2);
  CHECK(max_difference(map.frame(4), marked_frame(8)) == 0);
  CHECK(map.nearest(3, {1.5f, 0.5f, 0.0f}, 0.1f, 0.1f, 1.0f).index == 4);
  CHECK(map.candidates(marked_frame(7), 1).front().index == 3);
  // World 2 again: refused whole, nothing added.
  ViewMap again;
  again.add({4, {0.0f, 0.0f, 0.0f}}, marked_frame(9));
  again.add({2, {0.6f, 0.5f, 0.0f}}, marked_frame(9));
  CHECK_THROWS_WITH(map.append(again), Catch::Contains("world seed 2 is already in the map"));
  CHECK(map.size() == 5);
}
