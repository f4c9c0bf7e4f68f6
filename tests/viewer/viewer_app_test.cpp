// The viewer end to end under Xvfb + lavapipe: a script drives 20 steps of forward and turn, the
// dream pane at step 20 is screenshotted, and what was uploaded equals the headless rollout of the
// same start and actions (exactly), the screenshot matches it within filtering tolerance, the
// validation layer stays silent, and replaying the saved walk shows the same frames.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "model/plan_world.h"
#include "model/revisit.h"
#include "nav/base/user_error.h"
#include "nav/world.h"
#include "tests/scratch.h"
#include "tests/viewer/fake_simulator.h"
#include "viewer/app.h"

using namespace dw;
using namespace dw::viewer;

namespace {

// Per process: CTest runs these test cases in parallel processes that write the same names.
std::filesystem::path scratch(const std::string& name) {
  return test::scratch_file("viewer_app", name, test::Scratch::per_process);
}

ViewerOptions scripted_options() {
  ViewerOptions options;
  options.validation = render::Validation::required;
  options.tick_rate = 200.0;  // the script is step-indexed, so speed does not change the frames
  options.vsync = false;
  options.output_dir = scratch("");
  return options;
}

// Fraction of texels whose centre, sampled from the screenshot inside `rect`, is within
// `tolerance` of the frame on every channel.
double fraction_matching(const Image& screenshot, const render::Rect& rect, const Image& frame, int tolerance) {
  int good = 0;
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      const int sx = static_cast<int>(rect.x + (static_cast<float>(x) + 0.5f) * rect.width / static_cast<float>(frame.width));
      const int sy = static_cast<int>(rect.y + (static_cast<float>(y) + 0.5f) * rect.height / static_cast<float>(frame.height));
      bool close = true;
      for (int c = 0; c < 3; ++c) close = close && std::abs(screenshot.at(sx, sy)[c] - frame.at(x, y)[c]) <= tolerance;
      good += close;
    }
  }
  return static_cast<double>(good) / (frame.width * frame.height);
}

}  // namespace

TEST_CASE("a scripted walk shows the headless rollout's frames and replays exactly", "[viewer][vulkan]") {
  const std::filesystem::path script = scratch("forward_turn.txt");
  std::ofstream(script) << "# 10 steps forward, then 10 forward while turning left\n"
                           "0 W down\n10 Q down\n20 quit\n";
  ViewerOptions options = scripted_options();
  options.world_seed = 3;
  options.script = script;
  options.screenshots[20] = scratch("step20.png");
  test::FakeSimulator simulator;
  const ViewerReport report = run_viewer(simulator, options);

  CHECK(report.validation_messages == 0);
  REQUIRE(report.timeline.size() == 21);
  const nav::World world(3, nav::WorldSettings{});
  CHECK(report.timeline[0].pixels == world.render_view(world.spawn_pose(3), 64).pixels);

  std::vector<std::vector<float>> actions;
  for (int i = 0; i < 20; ++i) actions.push_back({1.0f, 0.0f, i < 10 ? 0.0f : 1.0f});
  CHECK(report.walk.actions == actions);
  test::FakeSimulator headless;  // the viewer's context: the spawn view held still, zero actions
  const std::vector<Image> context(static_cast<size_t>(headless.info().context), report.timeline[0]);
  const auto rollout = model::rollout(headless, {context}, {}, {actions}, options.seed);
  REQUIRE(report.shown_dream.count(20) == 1);
  CHECK(report.shown_dream.at(20).pixels == rollout[0][19].pixels);

  const Image screenshot = load_image(scratch("step20.png"));
  const render::Rect rect = report.dream_rect.at(20);
  REQUIRE(rect.width >= 64.0f);
  REQUIRE(rect.x + rect.width <= static_cast<float>(screenshot.width));
  CHECK(fraction_matching(screenshot, rect, rollout[0][19], 3) > 0.99);
  CHECK(fraction_matching(screenshot, rect, rollout[0][9], 3) < 0.5);  // a different frame would not pass

  const std::filesystem::path walk_path = scratch("walk.json");
  save_walk(report.walk, walk_path);
  ViewerOptions replay = scripted_options();
  replay.replay = walk_path;
  replay.quit_step = 20;
  replay.screenshots[20] = scratch("replay20.png");
  test::FakeSimulator again;
  const ViewerReport replayed = run_viewer(again, replay);
  CHECK(replayed.validation_messages == 0);
  REQUIRE(replayed.timeline.size() == report.timeline.size());
  for (size_t i = 0; i < report.timeline.size(); ++i) CHECK(replayed.timeline[i].pixels == report.timeline[i].pixels);
  CHECK(replayed.shown_dream.at(20).pixels == report.shown_dream.at(20).pixels);
}

// Under Xvfb nobody presses a key or closes the window: each of these would hang if the run
// did not end by itself, and each steps with no key held unless its script holds one. One
// window per test case (so one per process under CTest): opening several in a row in one
// process once failed to reach a busy Xvfb.
namespace {
struct SelfEndingRun {
  std::string script;
  std::optional<int> quit_step;
  std::map<int, std::string> screenshots;
  bool starts_from_image;
  size_t timeline_length;
  float forward;  // the action of every step
};

void check_ends_by_itself(const SelfEndingRun& run) {
  ViewerOptions options = scripted_options();
  if (run.starts_from_image) {
    Image start(64, 64);
    std::fill(start.pixels.begin(), start.pixels.end(), std::uint8_t{90});
    save_png(start, scratch("start.png"));
    options.start_image = scratch("start.png");
  } else {
    options.world_seed = 3;
  }
  if (!run.script.empty()) {
    std::ofstream(scratch("self_ending.txt")) << run.script;
    options.script = scratch("self_ending.txt");
  }
  options.quit_step = run.quit_step;
  for (const auto& [step, name] : run.screenshots) options.screenshots[step] = scratch(name);
  test::FakeSimulator simulator;
  const ViewerReport report = run_viewer(simulator, options);
  CHECK(report.timeline.size() == run.timeline_length);
  for (const auto& [step, name] : run.screenshots) CHECK(std::filesystem::exists(scratch(name)));
  CHECK(report.walk.actions == std::vector<std::vector<float>>(run.timeline_length - 1, {run.forward, 0.0f, 0.0f}));
}
}  // namespace

TEST_CASE("a script without quit ends at its last event", "[viewer][vulkan]") {
  check_ends_by_itself({"0 W down\n6 W up\n", std::nullopt, {{5, "no_quit5.png"}}, false, 7, 1.0f});
}

TEST_CASE("a --quit-at run with no script ends by itself", "[viewer][vulkan]") {
  check_ends_by_itself({"", 3, {}, false, 4, 0.0f});
}

TEST_CASE("a start image with --quit-at and an earlier screenshot ends by itself", "[viewer][vulkan]") {
  check_ends_by_itself({"", 3, {{2, "start2.png"}}, true, 4, 0.0f});
}

TEST_CASE("only --screenshot-at ends after the last one", "[viewer][vulkan]") {
  check_ends_by_itself({"", std::nullopt, {{1, "only1.png"}, {4, "only4.png"}}, false, 5, 0.0f});
}

TEST_CASE("the bench drives held keys and reports its figures", "[viewer][vulkan]") {
  ViewerOptions options = scripted_options();
  options.world_seed = 2;
  options.bench_frames = 40;
  test::FakeSimulator simulator;
  const ViewerReport report = run_viewer(simulator, options);
  CHECK(report.bench.frames == 40);
  CHECK(report.steps > 0);
  CHECK(report.bench.key_presses > 0);
  CHECK(report.validation_messages == 0);
  const std::string json = bench_json(report);
  CHECK(json.find("\"display_fps\"") != std::string::npos);
  CHECK(json.find("\"key_to_frame_ms\"") != std::string::npos);
}

TEST_CASE("a replay made with another model is refused", "[viewer]") {
  Walk walk;
  walk.start.world_seed = 1;
  walk.model_hash = "someone-else";
  walk.actions = {{1.0f, 0.0f, 0.0f}};
  save_walk(walk, scratch("other_walk.json"));
  ViewerOptions options;
  options.replay = scratch("other_walk.json");
  test::FakeSimulator simulator;
  CHECK_THROWS_WITH(run_viewer(simulator, options), Catch::Contains("same model"));
}

TEST_CASE("without a display the viewer says so and points to rollout", "[viewer]") {
  const char* saved = std::getenv("DISPLAY");
  const std::string display = saved ? saved : "";
  unsetenv("DISPLAY");
  unsetenv("WAYLAND_DISPLAY");
  ViewerOptions options;
  test::FakeSimulator simulator;
  CHECK_THROWS_WITH(run_viewer(simulator, options), Catch::Contains("dreamwalk rollout"));
  if (saved) setenv("DISPLAY", display.c_str(), 1);
}

TEST_CASE("with the real (untrained small) model the dream pane equals its headless rollout", "[viewer][vulkan][model]") {
  const std::filesystem::path config = std::filesystem::path(DREAMWALK_SOURCE_DIR) / "configs" / "small.yaml";
  const data::ActionSchema schema = data::ActionSchema::navigation(nav::ActionLimits{});
  const std::filesystem::path script = scratch("real_model.txt");
  std::ofstream(script) << "0 W down\n4 E down\n8 quit\n";
  ViewerOptions options = scripted_options();
  options.world_seed = 4;
  options.script = script;
  options.screenshots[8] = scratch("real8.png");
  const auto simulator = model::Simulator::untrained(config, schema, "cpu", 11);
  const ViewerReport report = run_viewer(*simulator, options);
  CHECK(report.validation_messages == 0);
  REQUIRE(report.shown_dream.count(8) == 1);

  std::vector<std::vector<float>> actions;
  for (int i = 0; i < 8; ++i) actions.push_back({1.0f, 0.0f, i < 4 ? 0.0f : -1.0f});
  CHECK(report.walk.actions == actions);
  const auto headless = model::Simulator::untrained(config, schema, "cpu", 11);
  const std::vector<Image> context(static_cast<size_t>(headless->info().context), report.timeline[0]);
  const auto rollout = model::rollout(*headless, {context}, {}, {actions}, options.seed);
  CHECK(report.shown_dream.at(8).pixels == rollout[0][7].pixels);
}

TEST_CASE("a --goal-pose run plans its own actions in the viewer", "[viewer][vulkan][go_to]") {
  test::FakeSimulator simulator(32);
  ViewerOptions options = scripted_options();
  options.world_seed = 2;
  const nav::World world = model::revisit_world(simulator.info(), 2);
  const nav::Pose spawn = world.spawn_pose(2);
  nav::Pose goal = spawn;  // a cell or more away, where a short walk forward and turning leads
  for (int t = 0; t < 40 && model::position_error(goal, spawn) < 1.0f; ++t) goal = world.step(goal, {1.0f, 0.0f, 0.3f});
  REQUIRE(model::position_error(goal, spawn) >= 1.0f);
  options.goal_pose = goal;
  options.quit_step = 6;
  const ViewerReport report = run_viewer(simulator, options);
  CHECK(report.validation_messages == 0);
  REQUIRE(report.walk.actions.size() == 6);
  int moving = 0;
  for (const auto& action : report.walk.actions) moving += action != std::vector<float>(3, 0.0f);
  CHECK(moving >= 5);  // the planner's actions, not the zero action of a run with no key held
}

TEST_CASE("a goal pose in a wall, off the map or without a world is refused before the window opens", "[viewer]") {
  test::FakeSimulator simulator(32);
  ViewerOptions options = scripted_options();
  options.world_seed = 2;
  options.goal_pose = nav::Pose{-3.0f, 1.0f, 0.0f};
  CHECK_THROWS_WITH(run_viewer(simulator, options), Catch::Contains("--goal-pose"));
  options.goal_pose = nav::Pose{0.5f, 0.5f, 0.0f};  // the border is wall
  CHECK_THROWS_WITH(run_viewer(simulator, options), Catch::Contains("--goal-pose"));
  options.goal_image = scratch("nothing.png");
  CHECK_THROWS_WITH(run_viewer(simulator, options), Catch::Contains("not both"));
}
