// The start room sketch: read back from rendered start frames, it draws the room from a pose the
// walk reaches later closer to the world's own render than the last start frame is; it reproduces
// the last start frame where the walk still stands; a walk into a sketched wall slides along it as
// the world's agent does; it sketches nothing from frames no raycaster drew, and then leaves a
// frame as it was; the Simulator draws it over a walk its view map does not locate.
#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <utility>
#include <random>

#include "model/checkpoint.h"
#include "model/simulator.h"
#include "model/start_room.h"
#include "model/view_map.h"
#include "model_test_util.h"
#include "nav/world.h"

using namespace dw::model;

namespace {

dw::data::ActionSchema navigation() { return dw::data::ActionSchema::navigation(dw::nav::ActionLimits{}); }

struct Walk {
  std::vector<dw::Image> frames;              // the world's renders, one per pose
  std::vector<std::vector<float>> actions;    // one per gap
  std::vector<dw::nav::Pose> poses;
};

// A walk in `world` from its spawn pose that takes `actions`, the frames rendered at 64 px; empty
// when an action meets a wall (then dead reckoning would not be exact).
std::optional<Walk> walk(const dw::nav::World& world, std::uint64_t spawn,
                         const std::vector<std::vector<float>>& actions) {
  Walk w;
  dw::nav::Pose pose = world.spawn_pose(spawn);
  w.poses.push_back(pose);
  w.frames.push_back(world.render_view(pose, 64));
  for (const auto& a : actions) {
    const dw::nav::Pose free = dw::nav::free_step(pose, {a[0], a[1], a[2]}, world.settings().limits);
    pose = world.step(pose, {a[0], a[1], a[2]});
    if (std::fabs(pose.x - free.x) > 1e-4f || std::fabs(pose.y - free.y) > 1e-4f) return std::nullopt;
    w.poses.push_back(pose);
    w.frames.push_back(world.render_view(pose, 64));
    w.actions.push_back(a);
  }
  return w;
}

// The first walk from spawn seeds 0, 1, ... that meets no wall and whose first `starts` frames
// sketch a room, with that sketch.
std::pair<Walk, StartRoom> sketched_walk(const dw::nav::World& world, const std::vector<std::vector<float>>& actions,
                                         std::size_t starts) {
  for (std::uint64_t spawn = 0; spawn < 200; ++spawn) {
    const std::optional<Walk> found = walk(world, spawn, actions);
    if (!found) continue;
    StartRoom room(navigation());
    room.start({std::vector<dw::Image>(found->frames.begin(), found->frames.begin() + starts)},
               {std::vector<std::vector<float>>(actions.begin(), actions.begin() + (starts - 1))});
    if (room.sketched(0)) return {*found, room};
  }
  FAIL("no spawn pose of the world gives a walk that meets no wall and starts in a room");
  return {};
}

// Mean squared difference of 8x8 block means: how far apart the two frames' coarse layouts are.
double layout_error(const dw::Image& a, const dw::Image& b) {
  double total = 0;
  for (int by = 0; by < 8; ++by) {
    for (int bx = 0; bx < 8; ++bx) {
      for (int c = 0; c < 3; ++c) {
        double sa = 0, sb = 0;
        for (int y = by * 8; y < by * 8 + 8; ++y) {
          for (int x = bx * 8; x < bx * 8 + 8; ++x) {
            sa += a.at(x, y)[c];
            sb += b.at(x, y)[c];
          }
        }
        total += std::pow((sa - sb) / 64.0, 2);
      }
    }
  }
  return total / (8 * 8 * 3);
}

}  // namespace

TEST_CASE("the start room sketch draws the room from a later pose nearer the truth than the last start frame") {
  const dw::nav::World world(5);
  const std::vector<float> turn_left{0.0f, 0.0f, 1.0f}, back{-1.0f, 0.0f, 0.0f};
  // Four start frames turning left, then the walk backs off and turns further.
  std::vector<std::vector<float>> actions{turn_left, turn_left, turn_left};
  for (int i = 0; i < 6; ++i) actions.push_back(back);
  for (int i = 0; i < 4; ++i) actions.push_back(turn_left);
  auto [truth, room] = sketched_walk(world, actions, 4);
  const dw::Image& last_start = truth.frames[3];
  for (std::size_t t = 3; t < actions.size(); ++t) room.move({actions[t]});  // one row: this walk
  CHECK(std::fabs(room.pose(0).yaw - dw::nav::relative(truth.poses[0], truth.poses.back()).yaw) < 1e-3f);

  // Drawn over a black frame, the pixels it draws are those not black.
  dw::Image drawn(64, 64);
  const double covered = room.draw(0, drawn);
  CHECK(covered > 0.4);
  double sketch_error = 0, copy_error = 0;
  int pixels = 0;
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      const std::uint8_t* d = drawn.at(x, y);
      if (d[0] == 0 && d[1] == 0 && d[2] == 0) continue;
      ++pixels;
      for (int c = 0; c < 3; ++c) {
        sketch_error += std::pow(d[c] - truth.frames.back().at(x, y)[c], 2);
        copy_error += std::pow(last_start.at(x, y)[c] - truth.frames.back().at(x, y)[c], 2);
      }
    }
  }
  INFO("squared error per drawn pixel: copy-last " << copy_error / pixels << ", sketch " << sketch_error / pixels
                                                   << ", columns " << covered << ", pixels " << pixels);
  CHECK(pixels > 0.2 * 64 * 64);
  CHECK(sketch_error < 0.5 * copy_error);
}

TEST_CASE("the start room sketch reproduces the last start frame where the walk still stands") {
  const dw::nav::World world(7);
  const std::vector<float> turn_right{0.0f, 0.0f, -1.0f};
  auto [truth, room] = sketched_walk(world, {turn_right, turn_right, turn_right}, 4);
  dw::Image drawn(64, 64);  // black: every pixel not drawn stays black
  CHECK(room.draw(0, drawn) > 0.95);
  INFO("layout error " << layout_error(drawn, truth.frames.back()));
  CHECK(layout_error(drawn, truth.frames.back()) < 20.0);  // under 5 levels of 255 per block
}

TEST_CASE("a walk into a sketched wall stops at it, as the world's agent does") {
  const dw::nav::World world(11);
  const std::vector<float> still{0.0f, 0.0f, 0.0f}, forward{1.0f, 0.0f, 0.0f};
  auto [start, room] = sketched_walk(world, {still, still, still}, 4);
  // Forward until the world stops the agent, and as far again.
  dw::nav::Pose there = start.poses.back();
  const float ahead = world.ray_distance(there.x, there.y, there.yaw, 50.0f);
  const int steps = static_cast<int>(2.0f * ahead / world.settings().limits.max_forward) + 10;
  for (int i = 0; i < steps; ++i) {
    there = world.step(there, {1.0f, 0.0f, 0.0f});
    room.move({forward});
  }
  const dw::nav::Pose walked = dw::nav::relative(start.poses.front(), there);
  INFO("wall " << ahead << " cells ahead; the world stops at " << walked.x << ", the sketch at " << room.pose(0).x);
  CHECK(std::fabs(room.pose(0).x - walked.x) < 0.25f);
  CHECK(std::fabs(room.pose(0).y - walked.y) < 0.25f);
}

TEST_CASE("the start room sketch is empty for frames no raycaster drew, and then draws nothing") {
  std::mt19937 random(4);
  std::vector<dw::Image> noise;
  for (int t = 0; t < 4; ++t) {
    dw::Image frame(64, 64);
    for (auto& byte : frame.pixels) byte = static_cast<std::uint8_t>(random() % 256);
    noise.push_back(frame);
  }
  StartRoom room(navigation());
  room.start({noise}, {});
  CHECK_FALSE(room.sketched(0));
  dw::Image frame = noise.front();
  CHECK(room.draw(0, frame) == 0.0);
  CHECK(frame.pixels == noise.front().pixels);
  // And a schema that is not the world's navigation never sketches.
  StartRoom other(dw::data::ActionSchema{});
  other.start({noise}, {});
  CHECK_FALSE(other.sketched(0));
}

TEST_CASE("the Simulator draws the start room over a walk its view map does not locate, unless switched off") {
  // An untrained 64 px model whose view map holds one flat grey view of world 1: a walk in world
  // 5 is not located there, and no look finds a view like its frames.
  const auto dir = dw::model::testing::scratch_dir("start_room_simulator");
  dw::model::Config config = dw::model::testing::tiny_config();
  config.model.width = config.model.height = 64;
  torch::manual_seed(1);
  WorldModel model(config.model, 3);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  CheckpointMeta meta;
  meta.config = config;
  meta.schema = navigation();
  save_checkpoint(dir / "run", meta, model, optimizer);
  ViewMap map;
  dw::Image grey(64, 64);
  std::fill(grey.pixels.begin(), grey.pixels.end(), std::uint8_t{128});
  map.add({1, {2.5f, 2.5f, 0.0f}}, grey);
  map.save(dir / "run" / kViewMapFile);

  const dw::nav::World world(5);
  const std::vector<float> turn_left{0.0f, 0.0f, 1.0f};
  auto [truth, room] = sketched_walk(world, {turn_left, turn_left}, 2);  // context 2
  const std::vector<dw::Image> starts(truth.frames.begin(), truth.frames.begin() + 2);
  auto simulator = Simulator::load(dir / "run", "cpu");
  REQUIRE(simulator->start_room());
  const auto first_step = [&](bool on) {
    simulator->set_start_room(on);
    simulator->reset({starts}, {{turn_left}}, 0);
    return simulator->step({turn_left}).front();
  };
  const dw::Image with_room = first_step(true);
  const dw::Image without = first_step(false);
  CHECK_FALSE(simulator->start_room());
  // Drawn, the frame is near the world's own render; the untrained model alone is not.
  const double error_with = layout_error(with_room, truth.frames[2]);
  const double error_without = layout_error(without, truth.frames[2]);
  INFO("layout error with the start room " << error_with << ", without " << error_without);
  CHECK(error_with < 0.7 * error_without);
}
