// The revisit protocol: its scripted walks come back to the start pose in the world (so the return
// view is the start view, byte for byte), they are seeded, bad options are rejected, and a run
// reports per-step and return-point figures (through a fake simulator and a tiny trained model).
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "model/revisit.h"
#include "nav/base/user_error.h"
#include "tiny_run.h"

using namespace dw;
using namespace dw::model;

namespace {

constexpr double kTwoPi = 6.283185307179586;

RevisitOptions options_for(const std::string& protocol, int walks, std::uint64_t spawn_seed) {
  RevisitOptions options;
  options.protocol = protocol;
  options.walks = walks;
  options.spawn_seed = spawn_seed;
  return options;
}

double heading_difference(float a, float b) {
  const double d = std::fmod(std::fabs(static_cast<double>(a) - b), kTwoPi);
  return std::min(d, kTwoPi - d);
}

// A stand-in model that walks the same world with the actions it is given and shows its true view
// (or, frozen, keeps showing the last start frame). It checks what the protocol feeds it.
class WorldSimulator : public Simulator {
 public:
  WorldSimulator(const nav::World& world, std::vector<RevisitWalk> walks, bool is_frozen)
      : world_(world), walks_(std::move(walks)), is_frozen_(is_frozen) {
    info_.width = 16;
    info_.height = 16;
    info_.context = 3;
    info_.schema = data::ActionSchema::navigation(world.settings().limits);
  }
  const ModelInfo& info() const override { return info_; }
  void reset(const std::vector<std::vector<Image>>& start_frames,
             const std::vector<std::vector<std::vector<float>>>& start_actions, std::uint64_t) override {
    poses_.clear();
    last_frames_.clear();
    for (size_t b = 0; b < start_frames.size(); ++b) {
      REQUIRE(start_frames[b].size() == static_cast<size_t>(info_.context));
      REQUIRE(start_actions[b].size() == static_cast<size_t>(info_.context) - 1);
      for (const auto& row : start_actions[b]) CHECK(row == std::vector<float>{0.0f, 0.0f, 0.0f});
      CHECK(start_frames[b].front().pixels == start_frames[b].back().pixels);  // standing still
      poses_.push_back(walks_.at(next_walk_++).start);
      last_frames_.push_back(start_frames[b].back());
    }
  }
  std::vector<Image> step(const std::vector<std::vector<float>>& actions) override {
    REQUIRE(actions.size() == poses_.size());
    std::vector<Image> frames;
    for (size_t b = 0; b < poses_.size(); ++b) {
      poses_[b] = world_.step(poses_[b], {actions[b][0], actions[b][1], actions[b][2]});
      frames.push_back(is_frozen_ ? last_frames_[b] : world_view(world_, poses_[b], info_.width, info_.height));
    }
    return frames;
  }
  void set_temperature(float temperature) override { temperature_ = temperature; }
  float temperature() const override { return temperature_; }
  std::shared_ptr<const SimulatorState> save_state() const override { return nullptr; }
  void restore_state(const std::shared_ptr<const SimulatorState>&) override {}

 private:
  nav::World world_;
  std::vector<RevisitWalk> walks_;
  bool is_frozen_;
  ModelInfo info_;
  std::vector<nav::Pose> poses_;
  std::vector<Image> last_frames_;
  size_t next_walk_ = 0;
  float temperature_ = 0.0f;
};

}  // namespace

TEST_CASE("revisit scripts turn once, or go out, turn, come back and turn", "[model][revisit]") {
  const nav::ActionLimits limits;  // max_turn 0.1: 63 steps for a full turn, 32 per half turn
  const RevisitScript turn = revisit_script(options_for("turn", 1, 0), limits);
  CHECK(turn.actions.size() == 63);
  CHECK(turn.return_step == 63);
  double heading = 0;
  for (const nav::Action& action : turn.actions) {
    CHECK(action.forward == 0.0f);
    CHECK(std::fabs(action.turn) <= 1.0f);
    CHECK(action.turn == Approx(turn.turn).epsilon(1e-4));
    heading += static_cast<double>(action.turn * limits.max_turn);
  }
  CHECK(heading == Approx(kTwoPi).epsilon(1e-6));

  RevisitOptions options = options_for("outback", 1, 0);
  options.forward_steps = 5;
  const RevisitScript outback = revisit_script(options, limits);
  CHECK(outback.actions.size() == 2 * (5 + 32));
  CHECK(outback.position_return_step == 5 + 32 + 5);
  CHECK(outback.return_step == 74);
  CHECK(outback.actions[0].forward == 1.0f);
  CHECK(outback.actions[5].forward == 0.0f);
  CHECK(outback.actions[5].turn == outback.turn);
}

TEST_CASE("revisit walks come back to the start pose in the world", "[model][revisit]") {
  for (const char* protocol : {"turn", "outback"}) {
    for (const std::uint64_t world_seed : {1u, 2u, 9u}) {
      const nav::World world(world_seed);
      const RevisitOptions options = options_for(protocol, 6, world_seed * 7);
      const RevisitScript script = revisit_script(options, world.settings().limits);
      const std::vector<RevisitWalk> walks = plan_revisit_walks(world, script, options);
      REQUIRE(walks.size() == 6);
      for (const RevisitWalk& walk : walks) {
        INFO(protocol << " world " << world_seed << " start " << walk.start.x << "," << walk.start.y);
        REQUIRE(walk.poses.size() == script.actions.size());
        const nav::Pose& back = walk.poses[static_cast<size_t>(script.return_step) - 1];
        CHECK(std::fabs(back.x - walk.start.x) < 1e-6);
        CHECK(std::fabs(back.y - walk.start.y) < 1e-6);
        CHECK(heading_difference(back.yaw, walk.start.yaw) < 1e-6);
        const nav::Pose& there = walk.poses[static_cast<size_t>(script.position_return_step) - 1];
        CHECK(std::fabs(there.x - walk.start.x) < 1e-6);
        CHECK(std::fabs(there.y - walk.start.y) < 1e-6);
        if (script.forward_steps > 0) {  // facing the other way, after a straight, unblocked leg
          CHECK(heading_difference(there.yaw, walk.start.yaw) == Approx(kTwoPi / 2).margin(1e-6));
          const nav::Pose& out = walk.poses[static_cast<size_t>(script.forward_steps) - 1];
          // Float positions near 20 cells round to ~2e-6 per substep; a wall would cost far more.
          CHECK(std::hypot(out.x - walk.start.x, out.y - walk.start.y) ==
                Approx(script.forward_steps * world.settings().limits.max_forward).margin(1e-4));
        }
        // Byte-equal views: at a size the world renders directly and at a resized model size.
        CHECK(world_view(world, back, 64, 64).pixels == world_view(world, walk.start, 64, 64).pixels);
        CHECK(world_view(world, back, 16, 16).pixels == world_view(world, walk.start, 16, 16).pixels);
      }
    }
  }
}

TEST_CASE("revisit walks are the same for a seed and differ between seeds", "[model][revisit]") {
  const nav::World world(3);
  const RevisitOptions options = options_for("outback", 4, 11);
  const RevisitScript script = revisit_script(options, world.settings().limits);
  const auto first = plan_revisit_walks(world, script, options);
  const auto second = plan_revisit_walks(world, script, options);
  const auto other = plan_revisit_walks(world, script, options_for("outback", 4, 12));
  for (size_t w = 0; w < first.size(); ++w) {
    CHECK(first[w].start.x == second[w].start.x);
    CHECK(first[w].start.y == second[w].start.y);
    CHECK(first[w].start.yaw == second[w].start.yaw);
    CHECK(first[w].poses.back().yaw == second[w].poses.back().yaw);
  }
  CHECK(first[0].start.yaw != other[0].start.yaw);
}

TEST_CASE("revisit rejects an unknown protocol and no walks", "[model][revisit]") {
  const nav::ActionLimits limits;
  CHECK_THROWS_WITH(revisit_script(options_for("spiral", 4, 0), limits),
                    Catch::Contains("--protocol 'spiral'") && Catch::Contains("turn or outback"));
  CHECK_THROWS_AS(check_revisit_options(options_for("", 4, 0)), UserError);
  CHECK_THROWS_WITH(check_revisit_options(options_for("turn", 0, 0)), Catch::Contains("--walks must be at least 1"));
  const nav::World world(1);
  WorldSimulator simulator(world, {}, false);
  CHECK_THROWS_AS(evaluate_revisit(simulator, options_for("turn", 0, 0)), UserError);
  CHECK_THROWS_AS(evaluate_revisit(simulator, options_for("back", 2, 0)), UserError);
  RevisitOptions too_long = options_for("turn", 1, 0);
  too_long.context = 4;  // the fake observes 3
  CHECK_THROWS_WITH(evaluate_revisit(simulator, too_long), Catch::Contains("--context 4"));
}

TEST_CASE("revisit reports per-step and return-point figures for a fake model", "[model][revisit]") {
  const nav::World world(4);
  RevisitOptions options = options_for("outback", 3, 5);
  options.world_seed = 4;
  options.batch = 2;  // two batches: 2 walks, then 1
  const RevisitScript script = revisit_script(options, world.settings().limits);
  const auto walks = plan_revisit_walks(world, script, options);
  const int steps = static_cast<int>(script.actions.size());

  WorldSimulator perfect(world, walks, false);
  const RevisitReport exact = evaluate_revisit_walks(perfect, world, script, walks, options);
  REQUIRE(exact.model.horizon() == steps);
  REQUIRE(exact.baseline.horizon() == steps);
  CHECK(exact.context == 3);
  for (int k = 0; k < steps; ++k) {
    CHECK(exact.model.count(k) == 3);
    CHECK(exact.model.mean(k).psnr == kPsnrCap);
  }
  CHECK(exact.model_at_return.psnr == kPsnrCap);
  CHECK(exact.model_at_return.layout_psnr == kPsnrCap);
  CHECK(exact.model_at_return.sharpness == Approx(1.0));
  CHECK(exact.baseline.mean(script.return_step - 1).psnr == kPsnrCap);  // the truth is the start view
  CHECK(exact.baseline.mean(script.forward_steps - 1).psnr < kPsnrCap);

  // A frozen model is copy-last-frame: it matches the baseline, and it is "right" at the return.
  WorldSimulator frozen(world, walks, true);
  const RevisitReport still = evaluate_revisit_walks(frozen, world, script, walks, options);
  for (int k = 0; k < steps; ++k) CHECK(still.model.mean(k).psnr == Approx(still.baseline.mean(k).psnr));
  CHECK(still.model_at_return.psnr == kPsnrCap);
  CHECK(still.model_at_step1.psnr == Approx(still.model.mean(0).psnr));

  const auto json = nlohmann::json::parse(revisit_report_json(still));
  CHECK(json["protocol"] == "outback");
  CHECK(json["walks"] == 3);
  CHECK(json["world_seed"] == 4);
  CHECK(json["spawn_seed"] == 5);
  CHECK(json["model"]["psnr"].size() == static_cast<size_t>(steps));
  CHECK(json["baseline"]["ssim"].size() == static_cast<size_t>(steps));
  CHECK(json["model"]["layout_psnr"].size() == static_cast<size_t>(steps));
  CHECK(json["baseline"]["sharpness"].size() == static_cast<size_t>(steps));
  CHECK(json["return_point"]["model_step1"].contains("sharpness"));
  CHECK(json["return_point"]["step"] == script.return_step);
  CHECK(json["return_point"]["model_vs_start"]["psnr"] == kPsnrCap);
  CHECK(json["return_point"].contains("model_step1"));
  CHECK(json["return_point"]["psnr_drop_db"].get<double>() < 0.0);  // better at the return than at step 1
  const std::string table = revisit_report_table(still);
  CHECK(table.find("return point (step " + std::to_string(script.return_step)) != std::string::npos);
}

TEST_CASE("revisit runs a tiny trained model through the turn walk", "[model][revisit]") {
  auto simulator = Simulator::load(testing::tiny_run().run);
  RevisitOptions options = options_for("turn", 2, 0);
  const RevisitReport report = evaluate_revisit(*simulator, options);
  REQUIRE(report.model.horizon() == 63);
  CHECK(report.context == simulator->info().context);
  CHECK(report.walks == 2);
  CHECK(std::isfinite(report.model_at_return.psnr));
  CHECK(report.model_at_step1.psnr == Approx(report.model.mean(0).psnr));
  const auto json = nlohmann::json::parse(revisit_report_json(report));
  CHECK(json["model"]["mse"].size() == 63);
  CHECK(json["return_point"]["step"] == 63);
}
