// The view map (views of training walks kept by pose) and its recall in the Simulator: nearest
// views by pose and world, locating a start frame, sliding along walls, thinning, the file, and a
// walk that comes to a remembered pose showing that view; batched equals single; off = without.
#include <catch2/catch.hpp>

#include "datasets/dataset.h"
#include "model/simulator.h"
#include "model/view_map.h"
#include "model/view_recall.h"
#include "nav/base/user_error.h"
#include "tiny_run.h"

using namespace dw::model;
using dw::Image;

namespace {

const dw::data::ActionSchema kNavigation = dw::data::ActionSchema::navigation(dw::nav::ActionLimits{});
const std::vector<float> kForward{1.0f, 0.0f, 0.0f};
const std::vector<float> kStill{0.0f, 0.0f, 0.0f};

// A frame unlike the others: a flat colour with a bright square whose place depends on `id`.
Image marked_frame(int id, int size = 16) {
  Image image(size, size);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const bool mark = x / 4 == id % 4 && y / 4 == (id / 4) % 4;
      std::uint8_t* p = image.at(x, y);
      p[0] = mark ? 250 : static_cast<std::uint8_t>(30 + 13 * id % 200);
      p[1] = mark ? 250 : static_cast<std::uint8_t>(60 + 7 * x);
      p[2] = static_cast<std::uint8_t>(90 + 9 * y);
    }
  }
  return image;
}

// Views along the x axis of world 1, one every forward step (0.12 cells), facing +x: frame i at x = 0.12 i.
ViewMap corridor(int count) {
  ViewMap map;
  for (int i = 0; i < count; ++i) map.add({1, {0.12f * static_cast<float>(i), 0.0f, 0.0f}}, marked_frame(i));
  return map;
}

int max_difference(const Image& a, const Image& b) {
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) worst = std::max(worst, std::abs(a.pixels[i] - b.pixels[i]));
  return worst;
}

}  // namespace

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

TEST_CASE("a walk finds itself from its start frames and recalls the view at its pose", "[model][views]") {
  auto map = std::make_shared<const ViewMap>(corridor(12));
  ViewRecallOptions options;
  options.position_tolerance = 0.1f;
  options.ramp_steps = 2;
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

TEST_CASE("the Simulator recalls the run's views: a walk into a remembered place shows it", "[model][views]") {
  // A copy of the tiny run with a map whose views are its start frame and the frames further on.
  const auto dir = testing::scratch_dir("view_map_run");
  std::filesystem::copy(testing::tiny_run().run, dir / "run", std::filesystem::copy_options::recursive);
  corridor(12).save(dir / "run" / kViewMapFile);
  auto simulator = Simulator::load(dir / "run");
  REQUIRE(simulator->view_map());  // on by default where the run has a map
  const auto walk = [&](const std::vector<std::vector<Image>>& starts) {
    simulator->reset(starts, {}, 3);
    std::vector<std::vector<Image>> frames;
    for (int t = 0; t < 4; ++t) {
      frames.push_back(simulator->step(std::vector<std::vector<float>>(starts.size(), kForward)));
    }
    return frames;
  };
  // Located at view 2 (x = 0.24), every forward step stands on the next view: it is shown.
  const auto frames = walk({{marked_frame(2)}});
  for (int t = 0; t < 4; ++t) CHECK(max_difference(frames[t][0], marked_frame(3 + t)) == 0);
  // Batched with a walk the map does not know and another it knows (two rows recall at once)
  // equals the three single walks.
  const auto batched = walk({{marked_frame(2)}, {testing::moving_square(1, 0)}, {marked_frame(4)}});
  const auto unknown = walk({{testing::moving_square(1, 0)}});
  const auto further = walk({{marked_frame(4)}});
  for (int t = 0; t < 4; ++t) {
    CHECK(max_difference(batched[t][0], frames[t][0]) == 0);
    CHECK(max_difference(batched[t][1], unknown[t][0]) == 0);
    CHECK(max_difference(batched[t][2], further[t][0]) == 0);
    CHECK(max_difference(further[t][0], marked_frame(5 + t)) == 0);
  }
  simulator->set_view_map(false);
  CHECK_FALSE(simulator->view_map());
  CHECK(max_difference(walk({{marked_frame(2)}})[2][0], marked_frame(5)) > 0);
  // A map of another frame size is refused when the run loads.
  ViewMap big;
  big.add({1, {}}, marked_frame(0, 32));
  big.save(dir / "run" / kViewMapFile);
  CHECK_THROWS_WITH(Simulator::load(dir / "run"), Catch::Contains(kViewMapFile));
}
