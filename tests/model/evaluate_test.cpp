// dreamwalk eval's library: the protocol (windows, baseline, per-horizon arrays), horizon to
// failure, the JSON fields, and its errors.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "datasets/dataset.h"
#include "tiny_run.h"
#include "model/compare_strip.h"
#include "model/evaluate.h"
#include "nav/base/user_error.h"

using namespace dw::model;

namespace {
// Eval options for the tiny run's context of 2 and a short horizon.
EvalOptions tiny_eval(int horizon) {
  EvalOptions options;
  options.context = 2;
  options.horizon = horizon;
  return options;
}
}  // namespace

TEST_CASE("eval scores every disjoint window against copy-last-frame", "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options;
  options.split = "test";
  options.context = 2;
  options.horizon = 3;
  options.batch = 2;
  const EvalReport report = evaluate(*simulator, tiny.data, options);
  // The test split is one episode of 14 frames: windows of 5 frames at stride 5 -> 2 windows.
  REQUIRE(report.windows == 2);
  REQUIRE(report.model.horizon() == 3);
  // The baseline is computed here by hand from the episode itself.
  const auto episode = dw::data::read_episode(tiny.data / "test-0");
  for (int k = 0; k < 3; ++k) {
    double expected = 0;
    for (int start : {0, 5}) {
      expected += compare_frames(episode.frames[start + 2 + k], episode.frames[start + 1]).psnr;
    }
    CHECK(report.baseline.mean(k).psnr == Approx(expected / 2).epsilon(1e-9));
    CHECK(std::isfinite(report.model.mean(k).psnr));
  }
  REQUIRE(report.best.size() == 1);
  REQUIRE(report.worst.size() == 1);
  CHECK(report.best.front().mean_psnr >= report.worst.front().mean_psnr);
  CHECK(report.best.front().strip.width > 0);
}

TEST_CASE("eval with max_windows scores that many windows, evenly spread", "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options;
  options.split = "test";
  options.context = 2;
  options.horizon = 1;
  options.stride = 1;  // 14 frames, windows of 3 at stride 1 -> 12 windows
  options.max_windows = 3;
  options.strips = 3;
  const EvalReport report = evaluate(*simulator, tiny.data, options);
  REQUIRE(report.windows == 3);
  std::set<std::int64_t> scored;
  for (const auto& strip : report.best) scored.insert(strip.window);
  CHECK(scored == std::set<std::int64_t>{0, 4, 8});
}

TEST_CASE("eval JSON has one entry per horizon step and the failure steps", "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options;
  options.context = 2;
  options.horizon = 4;
  options.failure_psnr = 1000.0;  // every step is below this: failure at step 1
  const auto json = nlohmann::json::parse(eval_report_json(evaluate(*simulator, tiny.data, options)));
  for (const char* key : {"split", "context", "horizon", "windows", "model", "baseline"}) CHECK(json.contains(key));
  CHECK(json["model"]["psnr"].size() == 4);
  CHECK(json["baseline"]["ssim"].size() == 4);
  CHECK(json["model"]["mse"].size() == 4);
  CHECK(json["horizon_to_failure"]["model"] == 1);
  options.failure_psnr = -1.0;  // nothing is below this: never fails
  const auto never = nlohmann::json::parse(eval_report_json(evaluate(*simulator, tiny.data, options)));
  CHECK(never["horizon_to_failure"]["baseline"] == 0);
  const auto plot = eval_report_plot(evaluate(*simulator, tiny.data, options));
  CHECK(plot.width > plot.height);
}

TEST_CASE("eval rejects an unknown split, a horizon no episode can hold, a context too long",
          "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options;
  options.context = 2;
  options.split = "nope";
  REQUIRE_THROWS_AS(evaluate(*simulator, tiny.data, options), dw::UserError);
  options.split = "test";
  options.horizon = 40;
  REQUIRE_THROWS_WITH(evaluate(*simulator, tiny.data, options), Catch::Contains("no episode"));
  // More start frames than the model observes: named by the flag, not by the simulator's reset.
  options.horizon = 4;
  options.context = simulator->info().context + 1;
  REQUIRE_THROWS_WITH(evaluate(*simulator, tiny.data, options),
                      Catch::Contains("--context 3: the model observes at most 2"));
}

TEST_CASE("eval JSON carries layout PSNR, sharpness and the mode", "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options = tiny_eval(3);
  const auto json = nlohmann::json::parse(eval_report_json(evaluate(*simulator, tiny.data, options)));
  CHECK(json["mode"] == "mean");
  CHECK(json["samples"] == 1);
  for (const char* side : {"model", "baseline"}) {
    CHECK(json[side]["layout_psnr"].size() == 3);
    CHECK(json[side]["sharpness"].size() == 3);
  }
  // The copy-last frame is a true frame: about as detailed as the truth.
  CHECK(json["baseline"]["sharpness"][0].get<double>() == Approx(1.0).margin(0.2));
}

TEST_CASE("eval reports each gain's standard error with the walk as the unit", "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options = tiny_eval(3);
  options.split = "train";  // four walks of 14 frames
  options.stride = 2;       // overlapping windows: several per walk
  const EvalReport report = evaluate(*simulator, tiny.data, options);
  REQUIRE(report.windows > 4);
  CHECK(report.layout_gain.walks() == 4);
  for (int k = 0; k < 3; ++k) {
    CHECK(report.layout_gain.mean(k) ==
          Approx(report.model.mean(k).layout_psnr - report.baseline.mean(k).layout_psnr).epsilon(1e-9));
    CHECK(report.psnr_gain.mean(k) == Approx(report.model.mean(k).psnr - report.baseline.mean(k).psnr).epsilon(1e-9));
    CHECK(report.sharpness.mean(k) == Approx(report.model.mean(k).sharpness).epsilon(1e-9));
    CHECK(report.layout_gain.standard_error(k) > 0.0);
  }
  const auto json = nlohmann::json::parse(eval_report_json(report));
  CHECK(json["standard_errors"]["unit"] == "walk");
  CHECK(json["standard_errors"]["walks"] == 4);
  CHECK(json["standard_errors"]["layout_psnr_gain"].size() == 3);
  CHECK(json["standard_errors"]["sharpness"][0].get<double>() == Approx(report.sharpness.standard_error(0)));
  CHECK(eval_report_table(report).find("4 walks as the unit") != std::string::npos);
  // The test split is one walk: no spread to measure, written as null.
  options.split = "test";
  const auto one = nlohmann::json::parse(eval_report_json(evaluate(*simulator, tiny.data, options)));
  CHECK(one["standard_errors"]["walks"] == 1);
  CHECK(one["standard_errors"]["psnr_gain"][0].is_null());
}

TEST_CASE("eval --samples averages sampled rollouts, and K samples differ from one", "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options = tiny_eval(3);
  options.temperature = 1.0f;
  options.seed = 3;
  const EvalReport one = evaluate(*simulator, tiny.data, options);
  options.samples = 4;
  const EvalReport four = evaluate(*simulator, tiny.data, options);
  const EvalReport again = evaluate(*simulator, tiny.data, options);
  CHECK(four.model.count(0) == 4 * one.model.count(0));  // every sample of every window is scored
  CHECK(four.model.mean(2).psnr == again.model.mean(2).psnr);  // seeded
  CHECK(four.model.mean(2).psnr != one.model.mean(2).psnr);
  const auto json = nlohmann::json::parse(eval_report_json(four));
  CHECK(json["mode"] == "sampled");
  CHECK(json["samples"] == 4);
  CHECK(simulator->temperature() == 0.0f);  // restored
}

TEST_CASE("eval rejects --samples 0, samples without a temperature and a horizon above 256", "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options = tiny_eval(16);
  options.samples = 0;
  CHECK_THROWS_WITH(evaluate(*simulator, tiny.data, options), Catch::Contains("--samples"));
  options.samples = 3;
  CHECK_THROWS_WITH(evaluate(*simulator, tiny.data, options), Catch::Contains("--temperature"));
  options.samples = 1;
  options.horizon = 257;
  CHECK_THROWS_WITH(evaluate(*simulator, tiny.data, options), Catch::Contains("256"));
}

TEST_CASE("eval strips show only the chosen steps", "[model][eval]") {
  const auto& tiny = testing::tiny_run();
  auto simulator = Simulator::load(tiny.run);
  EvalOptions options = tiny_eval(4);
  const int all_width = evaluate(*simulator, tiny.data, options).best.front().strip.width;
  options.strip_steps = {1, 4};
  const int chosen_width = evaluate(*simulator, tiny.data, options).best.front().strip.width;
  const dw::Image frame(16, 16);
  CHECK(chosen_width == compare_strip({frame, frame}, {frame, frame}).width);
  CHECK(all_width == compare_strip({frame, frame, frame, frame}, {frame, frame, frame, frame}).width);
}
