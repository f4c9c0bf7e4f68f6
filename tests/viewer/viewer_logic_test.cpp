// The viewer's logic without a window: key bindings from the action schema, the script format,
// saved walks, the session (full-context world start; steps equal the headless rollout; rewind +
// fork; replay) and the snapshot the window reads instead of the session.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "model/compare_strip.h"
#include "model/metrics.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"
#include "nav/world.h"
#include "tests/scratch.h"
#include "tests/viewer/fake_simulator.h"
#include "viewer/app.h"
#include "viewer/key_bindings.h"
#include "viewer/panels.h"
#include "viewer/script.h"
#include "viewer/session.h"
#include "viewer/stepper.h"
#include "viewer/walk.h"

using namespace dw;
using namespace dw::viewer;

namespace {

std::filesystem::path scratch(const std::string& name) { return test::scratch_file("viewer_logic", name); }

std::vector<std::vector<float>> forward_then_turn(int steps) {
  std::vector<std::vector<float>> actions;
  for (int i = 0; i < steps; ++i) actions.push_back({1.0f, 0.0f, i < steps / 2 ? 0.0f : 1.0f});
  return actions;
}

// A walk started in world 6, with the model info its snapshots share.
struct WorldWalk {
  test::FakeSimulator simulator;
  Session session{simulator, 3};
  std::shared_ptr<const model::ModelInfo> info = std::make_shared<const model::ModelInfo>(simulator.info());
  WorldWalk() { session.start(WalkStart{6, {}}); }
};

}  // namespace

TEST_CASE("key bindings follow the schema, add arrows for turning and spare pairs otherwise", "[viewer]") {
  const KeyBindings navigation(data::ActionSchema::navigation(nav::ActionLimits{}));
  CHECK(navigation.action({"W"}) == std::vector<float>{1, 0, 0});
  CHECK(navigation.action({"S", "A"}) == std::vector<float>{-1, -1, 0});
  CHECK(navigation.action({"Q"}) == std::vector<float>{0, 0, 1});
  CHECK(navigation.action({"Right"}) == std::vector<float>{0, 0, -1});
  CHECK(navigation.action({"W", "S"}) == std::vector<float>{0, 0, 0});
  CHECK_FALSE(navigation.is_bound("R"));

  data::ActionSchema custom;
  custom.names = {"throttle", "steer", "jump"};
  custom.limits = {1, 1, 1};
  custom.keys = {"W/S", "R/P", ""};  // R and P are reserved by the viewer: a spare pair instead
  const KeyBindings bindings(custom);
  CHECK(bindings.axes()[0].positive == std::vector<std::string>{"W"});
  CHECK(bindings.axes()[1].positive == std::vector<std::string>{"I"});
  CHECK(bindings.axes()[2].positive == std::vector<std::string>{"L"});
  CHECK(bindings.action({"K", "J"}) == std::vector<float>{0, -1, -1});
}

TEST_CASE("scripts parse step-indexed key events and report mistakes by line", "[viewer]") {
  const Script script = Script::parse("# drive\n0 w down\n10 Left down  # turn\n5 W up\n20 quit\n", "s.txt");
  REQUIRE(script.events().size() == 4);
  CHECK(script.events()[0].key == "W");
  CHECK(script.events()[1].step == 5);
  CHECK_FALSE(script.events()[1].is_down);
  CHECK(script.events()[2].key == "Left");
  CHECK(script.quit_step() == 20);
  CHECK_THROWS_WITH(Script::parse("0 W down\nx W down\n", "s.txt"), Catch::Contains("s.txt: line 2"));
  CHECK_THROWS_WITH(Script::parse("3 Banana down\n", "s.txt"), Catch::Contains("unknown key 'Banana'"));
  CHECK_THROWS_WITH(Script::parse("3 W sideways\n", "s.txt"), Catch::Contains("line 1"));
  CHECK_THROWS_AS(Script::load(scratch("missing.txt")), UserError);
}

TEST_CASE("session frames equal the headless rollout of the same start and actions", "[viewer]") {
  test::FakeSimulator simulator;
  Session session(simulator, 7);
  session.start(WalkStart{3, {}});
  REQUIRE(session.has_ground_truth());
  const Image start = session.now().dream;
  const auto actions = forward_then_turn(12);
  for (const auto& action : actions) session.step(action);
  REQUIRE(session.length() == 13);
  CHECK(session.now().truth.has_value());
  CHECK(session.now().psnr > 0.0);
  CHECK(session.map().width > 0);

  test::FakeSimulator headless;  // the session's context: the start frame held still, zero actions
  const std::vector<Image> context(static_cast<size_t>(simulator.info().context), start);
  const auto frames = model::rollout(headless, {context}, {}, {actions}, 7);
  for (int i = 1; i <= 12; ++i) CHECK(session.entry(i).dream.pixels == frames[0][static_cast<size_t>(i - 1)].pixels);
}

TEST_CASE("rewinding and stepping on forks the walk", "[viewer]") {
  test::FakeSimulator simulator;
  Session session(simulator, 1);
  session.start(WalkStart{5, {}});
  for (const auto& action : forward_then_turn(10)) session.step(action);
  const Image at_four = session.entry(4).dream;
  const Image old_five = session.entry(5).dream;
  session.rewind(4);
  CHECK(session.current() == 4);
  CHECK(session.length() == 11);  // nothing dropped until the walk goes on
  session.step({0.0f, 1.0f, 0.0f});
  CHECK(session.length() == 6);
  CHECK(session.entry(4).dream.pixels == at_four.pixels);
  CHECK(session.now().dream.pixels != old_five.pixels);
  CHECK(session.walk().actions.size() == 5);
  CHECK(session.walk().actions.back() == std::vector<float>{0.0f, 1.0f, 0.0f});
}

TEST_CASE("a saved walk loads back and replays to the same frames", "[viewer]") {
  test::FakeSimulator simulator;
  simulator.set_temperature(0.5f);  // sampled: the seed must make it repeatable
  Session session(simulator, 42);
  SECTION("from a world seed") { session.start(WalkStart{9, {}}); }
  SECTION("from a start image") {
    Image start(80, 60);
    for (size_t i = 0; i < start.pixels.size(); ++i) start.pixels[i] = static_cast<std::uint8_t>(i * 7);
    session.start(WalkStart{std::nullopt, start});
    CHECK_FALSE(session.has_ground_truth());
    CHECK(session.now().dream.width == 64);  // resized to the model
  }
  for (const auto& action : forward_then_turn(8)) session.step(action);
  const std::filesystem::path path = scratch("walk.json");
  save_walk(session.walk(), path);
  const Walk walk = load_walk(path);
  CHECK(walk.model_hash == "fake0001");
  CHECK(walk.seed == 42);
  CHECK(walk.temperature == 0.5f);
  CHECK(walk.actions == forward_then_turn(8));

  test::FakeSimulator other;
  other.set_temperature(walk.temperature);
  Session replay(other, walk.seed);
  replay.start(walk.start);
  for (const auto& action : walk.actions) replay.step(action);
  REQUIRE(replay.length() == session.length());
  for (int i = 0; i < replay.length(); ++i) CHECK(replay.entry(i).dream.pixels == session.entry(i).dream.pixels);
}

TEST_CASE("malformed walk files are user errors naming the file", "[viewer]") {
  const std::filesystem::path path = scratch("bad_walk.json");
  write_file_atomically(path, "{\"format\": \"something-else\"}");
  CHECK_THROWS_WITH(load_walk(path), Catch::Contains("bad_walk.json") && Catch::Contains("not a dreamwalk walk"));
  CHECK_THROWS_AS(load_walk(scratch("nope.json")), UserError);
}

TEST_CASE("window sizes parse as WIDTHxHEIGHT and bad ones name the flag", "[viewer]") {
  CHECK(parse_window_size("1600x1000") == std::pair<int, int>{1600, 1000});
  CHECK(parse_window_size("320x240") == std::pair<int, int>{320, 240});
  for (const char* bad : {"", "1600", "1600x", "x1000", "1600*1000", "1600x1000x2", "100x100", "99999x600", "axb"}) {
    CHECK_THROWS_WITH(parse_window_size(bad), Catch::Contains("--window"));
  }
}

TEST_CASE("the pane layout tiles any window without overlap", "[viewer]") {
  struct Box {
    ImVec2 pos, size;
  };
  for (const ImVec2 window : {ImVec2(800, 500), ImVec2(1280, 760), ImVec2(1920, 1080), ImVec2(320, 240)}) {
    const Layout l = layout_for(window);
    const std::vector<Box> boxes{{l.dream_pos, l.dream_size}, {l.truth_pos, l.truth_size},
                                 {l.map_pos, l.map_size}, {l.controls_pos, l.controls_size}};
    double covered = 0;
    for (size_t i = 0; i < boxes.size(); ++i) {
      const Box& a = boxes[i];
      CHECK(a.size.x > 0);
      CHECK(a.size.y > 0);
      CHECK(a.pos.x >= 0);
      CHECK(a.pos.y >= 0);
      CHECK(a.pos.x + a.size.x <= window.x);
      CHECK(a.pos.y + a.size.y <= window.y);
      covered += a.size.x * a.size.y;
      for (size_t j = i + 1; j < boxes.size(); ++j) {
        const Box& b = boxes[j];
        const bool apart = a.pos.x + a.size.x <= b.pos.x || b.pos.x + b.size.x <= a.pos.x ||
                           a.pos.y + a.size.y <= b.pos.y || b.pos.y + b.size.y <= a.pos.y;
        CHECK(apart);
      }
    }
    CHECK(covered > 0.8 * window.x * window.y);  // only margins are left uncovered
    CHECK(l.dream_size.x >= 0.4f * window.x);     // the dream is the big pane
  }
}

TEST_CASE("a world start gives the model its full context of the world's views", "[viewer]") {
  for (const int context : {4, 2, 1}) {
    test::FakeSimulator simulator(64, context);
    Session session(simulator, 3);
    session.start(WalkStart{6, {}});
    REQUIRE(simulator.last_start_frames().size() == 1);
    const std::vector<Image>& frames = simulator.last_start_frames()[0];
    REQUIRE(static_cast<int>(frames.size()) == context);
    REQUIRE(simulator.last_start_actions().size() == 1);
    const auto& actions = simulator.last_start_actions()[0];
    REQUIRE(static_cast<int>(actions.size()) == context - 1);
    for (const auto& action : actions) CHECK(action == std::vector<float>{0.0f, 0.0f, 0.0f});  // standing still

    const nav::World world(6, data::world_settings_for(simulator.info().schema));
    const nav::Pose spawn = world.spawn_pose(6);
    for (const Image& frame : frames) CHECK(frame.pixels == world.render_view(spawn, 64).pixels);
    // The walk starts at the last context frame, in the truth pane and in the dream.
    CHECK(session.now().pose.x == spawn.x);
    CHECK(session.now().pose.yaw == spawn.yaw);
    REQUIRE(session.now().truth.has_value());
    CHECK(session.now().truth->pixels == frames.back().pixels);
    CHECK(session.now().dream.pixels == frames.back().pixels);
  }
}

TEST_CASE("a start image is the one start frame", "[viewer]") {
  test::FakeSimulator simulator;
  Session session(simulator, 3);
  session.start(WalkStart{std::nullopt, Image(64, 64)});
  REQUIRE(simulator.last_start_frames().size() == 1);
  CHECK(simulator.last_start_frames()[0].size() == 1);
  CHECK_FALSE(session.has_ground_truth());
}

TEST_CASE("the snapshot carries what the window shows of the session", "[viewer]") {
  WorldWalk walk;
  test::FakeSimulator& simulator = walk.simulator;
  Session& session = walk.session;
  const auto& info = walk.info;
  Snapshot snapshot = snapshot_of(session, info);
  CHECK(snapshot.has_truth);
  REQUIRE(snapshot.info);
  CHECK(snapshot.info->weights_hash == "fake0001");
  CHECK(snapshot.info->context == 4);
  REQUIRE(snapshot.map.width > 0);

  session.start(WalkStart{std::nullopt, Image(64, 64)});  // Load start: the world is gone
  snapshot = snapshot_of(session, info);
  CHECK_FALSE(snapshot.has_truth);
  CHECK(snapshot.truth.width == 0);
  CHECK(snapshot.map.width == 0);
  CHECK(snapshot.info == info);

  session.start(WalkStart{6, {}});
  Stepper stepper(session, KeyBindings(simulator.info().schema), StepperSettings{});
  stepper.start();  // publishes the first snapshot before its worker runs
  Snapshot fetched;
  REQUIRE(stepper.fetch(fetched));
  stepper.stop();
  CHECK(fetched.has_truth);
  REQUIRE(fetched.info);
  CHECK(fetched.info->config_name == "fake");
}

TEST_CASE("the snapshot's heatmap and PSNR are the model's, black and capped where dream and truth agree", "[viewer]") {
  WorldWalk walk;
  Session& session = walk.session;
  Snapshot snapshot = snapshot_of(session, walk.info);
  CHECK(snapshot.psnr == Approx(model::kPsnrCap));
  const bool is_black = std::all_of(snapshot.heatmap.pixels.begin(), snapshot.heatmap.pixels.end(),
                                    [](std::uint8_t value) { return value == 0; });
  CHECK(is_black);

  for (const auto& action : forward_then_turn(4)) session.step(action);
  snapshot = snapshot_of(session, walk.info);
  CHECK(snapshot.heatmap.pixels == model::error_heatmap(snapshot.truth, snapshot.dream, kHeatmapFullScale).pixels);
  CHECK(snapshot.psnr == model::compare_frames(snapshot.dream, snapshot.truth).psnr);
  CHECK(snapshot.psnr < model::kPsnrCap);

  // The viewer's scale shows small errors: a mean error of an eighth of the range is full red.
  Image a(4, 4);
  Image b = a;
  for (int c = 0; c < 3; ++c) b.at(1, 1)[c] = 32;
  const Image heat = model::error_heatmap(a, b, kHeatmapFullScale);
  CHECK(heat.at(0, 0)[0] == 0);
  CHECK(heat.at(1, 1)[0] == 255);
}
