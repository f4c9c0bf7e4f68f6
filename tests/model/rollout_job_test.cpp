// dreamwalk rollout's library: actions CSV errors, outputs (GIF frames and size, PNGs, dataset),
// sampled rollouts repeat with a seed, batched trajectories equal single ones, bad input.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "datasets/dataset.h"
#include "datasets/gif_writer.h"
#include "tiny_run.h"
#include "model/rollout_job.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

using namespace dw::model;
namespace fs = std::filesystem;

namespace {

RolloutJob episode_job(const fs::path& out, int steps = 5) {
  RolloutJob job;
  job.source.start_episode = testing::tiny_run().data.string() + ":train:0";
  job.source.steps = steps;
  job.scale = 2;
  job.out = out;
  return job;
}

std::vector<dw::Image> trajectory_frames(const fs::path& dir, int steps) {
  std::vector<dw::Image> frames;
  for (int k = 1; k <= steps; ++k) frames.push_back(dw::load_image(dir / dw::data::frame_file_name(k)));
  return frames;
}

}  // namespace

TEST_CASE("actions CSV: wrong columns, non-numbers, NaN and range name the line", "[model][rollout]") {
  const auto dir = testing::scratch_dir("actions_csv");
  const auto schema = dw::data::ActionSchema::navigation({});
  testing::write_text(dir / "good.csv", "turn,forward,strafe\n0.5,1,0\n-1,0.25,0.5\n");
  const auto actions = read_actions_csv(dir / "good.csv", schema);
  REQUIRE(actions.size() == 2);
  CHECK(actions[1] == std::vector<float>{0.25f, 0.5f, -1.0f});  // reordered to the schema
  testing::write_text(dir / "columns.csv", "forward,strafe\n1,0\n");
  REQUIRE_THROWS_WITH(read_actions_csv(dir / "columns.csv", schema),
                      Catch::Contains("columns.csv") && Catch::Contains("2 columns"));
  testing::write_text(dir / "text.csv", "forward,strafe,turn\n1,0,0\n1,abc,0\n");
  REQUIRE_THROWS_WITH(read_actions_csv(dir / "text.csv", schema), Catch::Contains("line 3"));
  testing::write_text(dir / "nan.csv", "forward,strafe,turn\nnan,0,0\n");
  REQUIRE_THROWS_WITH(read_actions_csv(dir / "nan.csv", schema), Catch::Contains("line 2"));
  testing::write_text(dir / "range.csv", "forward,strafe,turn\n1,0,0\n1,0,0\n1.5,0,0\n");
  REQUIRE_THROWS_WITH(read_actions_csv(dir / "range.csv", schema),
                      Catch::Contains("line 4") && Catch::Contains("outside"));
}

TEST_CASE("a rollout writes PNG frames and a GIF that decodes to every step", "[model][rollout]") {
  const auto dir = testing::scratch_dir("rollout_media");
  auto simulator = Simulator::load(testing::tiny_run().run);
  RolloutJob job = episode_job(dir / "out", 5);
  job.compare = true;
  const RolloutSummary summary = run_rollout_job(*simulator, job);
  CHECK(summary.trajectories == 1);
  REQUIRE(summary.psnr_per_step.size() == 5);
  const auto gif = dw::data::read_gif(dir / "out" / "rollout.gif");
  REQUIRE(gif.size() == 5);
  CHECK(gif[0].width == 32);
  CHECK(gif[0].height == 32);
  CHECK(trajectory_frames(dir / "out" / "trajectory_000", 5).size() == 5);
  CHECK(dw::data::read_gif(dir / "out" / "compare.gif").size() == 5);
  CHECK(fs::exists(dir / "out" / "compare.png"));
  const auto json = nlohmann::json::parse(dw::read_whole_file(dir / "out" / "rollout.json"));
  CHECK(json["steps"] == 5);
  // The same --out again needs --force; nothing half-written is left beside it.
  REQUIRE_THROWS_WITH(run_rollout_job(*simulator, job), Catch::Contains("--force"));
  CHECK(dw::temporaries_of(dir / "out").empty());
}

TEST_CASE("sampled rollouts repeat with the same seed and differ with another", "[model][rollout]") {
  const auto dir = testing::scratch_dir("rollout_samples");
  auto simulator = Simulator::load(testing::tiny_run().run);
  auto sampled = [&](const std::string& name, std::uint64_t seed) {
    RolloutJob job = episode_job(dir / name, 4);
    job.temperature = 1.0f;
    job.samples = 2;
    job.source.seed = seed;
    run_rollout_job(*simulator, job);
    return trajectory_frames(dir / name / "trajectory_001", 4);
  };
  const auto first = sampled("a", 3), again = sampled("b", 3), other = sampled("c", 4);
  for (size_t k = 0; k < first.size(); ++k) CHECK(first[k].pixels == again[k].pixels);
  bool differs = false;
  for (size_t k = 0; k < first.size(); ++k) differs |= first[k].pixels != other[k].pixels;
  CHECK(differs);
}

TEST_CASE("a batch of trajectories equals each rolled out alone", "[model][rollout]") {
  const auto dir = testing::scratch_dir("rollout_batch");
  auto simulator = Simulator::load(testing::tiny_run().run);
  RolloutJob batched = episode_job(dir / "batched", 4);
  batched.source.trajectories = 2;  // train episodes 0 and 1
  run_rollout_job(*simulator, batched);
  RolloutJob single = episode_job(dir / "single", 4);
  single.source.start_episode = testing::tiny_run().data.string() + ":train:1";
  run_rollout_job(*simulator, single);
  const auto from_batch = trajectory_frames(dir / "batched" / "trajectory_001", 4);
  const auto alone = trajectory_frames(dir / "single" / "trajectory_000", 4);
  for (size_t k = 0; k < alone.size(); ++k) {
    int worst = 0;
    for (size_t i = 0; i < alone[k].pixels.size(); ++i)
      worst = std::max(worst, std::abs(alone[k].pixels[i] - from_batch[k].pixels[i]));
    CHECK(worst <= 1);  // batched convolutions may round differently by one level
  }
}

TEST_CASE("as-dataset writes a valid dataset of dreams", "[model][rollout]") {
  const auto dir = testing::scratch_dir("rollout_dataset");
  auto simulator = Simulator::load(testing::tiny_run().run);
  RolloutJob job = episode_job(dir / "dreams", 6);
  job.as_dataset = true;
  job.source.trajectories = 3;
  run_rollout_job(*simulator, job);
  CHECK(dw::data::validate_dataset(dir / "dreams").empty());
  const auto manifest = dw::data::read_manifest(dir / "dreams");
  REQUIRE(manifest.splits.at("train").size() == 3);
  CHECK(dw::data::read_episode(dir / "dreams" / manifest.splits.at("train")[0]).frames.size() == 7);
}

TEST_CASE("rollout bad input: missing start image, bad episode reference, no actions", "[model][rollout]") {
  const auto dir = testing::scratch_dir("rollout_bad");
  auto simulator = Simulator::load(testing::tiny_run().run);
  RolloutJob job;
  job.out = dir / "out";
  job.source.start_images = {dir / "missing.png"};
  job.source.policy = "explore";
  REQUIRE_THROWS_WITH(run_rollout_job(*simulator, job), Catch::Contains("missing.png"));
  job.source.policy.clear();
  REQUIRE_THROWS_WITH(run_rollout_job(*simulator, job), Catch::Contains("--actions"));
  RolloutJob episode = episode_job(dir / "out2");
  episode.source.start_episode = testing::tiny_run().data.string() + ":train:99";
  REQUIRE_THROWS_WITH(run_rollout_job(*simulator, episode), Catch::Contains("out of range"));
  episode.source.start_episode = testing::tiny_run().data.string() + ":nope:0";
  REQUIRE_THROWS_AS(run_rollout_job(*simulator, episode), dw::UserError);
  episode.source.start_episode = "no-colons";
  REQUIRE_THROWS_WITH(run_rollout_job(*simulator, episode), Catch::Contains("DATA:SPLIT:INDEX"));
  CHECK_FALSE(fs::exists(dir / "out"));
  CHECK_FALSE(fs::exists(dir / "out2"));
}

TEST_CASE("a start image of another size is resized to the model's", "[model][rollout]") {
  const auto dir = testing::scratch_dir("rollout_resize");
  auto simulator = Simulator::load(testing::tiny_run().run);
  dw::save_png(testing::moving_square(0, 0, 40), dir / "big.png");  // the model takes 16x16
  RolloutJob job;
  job.out = dir / "out";
  job.source.start_images = {dir / "big.png"};
  job.source.policy = "explore";  // the policy's actions drive the dream
  job.source.steps = 3;
  run_rollout_job(*simulator, job);
  const auto frame = dw::load_image(dir / "out" / "trajectory_000" / dw::data::frame_file_name(3));
  CHECK(frame.width == 16);
  CHECK(frame.height == 16);
}

TEST_CASE("an action-free model rolls out from a start image with no actions", "[model][rollout]") {
  const auto dir = testing::scratch_dir("rollout_action_free");
  dw::data::Manifest manifest;
  manifest.width = 16;
  manifest.height = 16;
  for (int id = 0; id < 3; ++id) {
    const std::string name = "video-" + std::to_string(id);
    dw::data::write_episode(testing::tiny_episode(id, 10, 0), dir / "data" / name);
    manifest.splits[id == 2 ? "val" : "train"].push_back(name);
  }
  dw::data::write_manifest(manifest, dir / "data");
  testing::write_text(dir / "tiny.yaml", testing::tiny_yaml());
  TrainOptions options;
  options.data_dir = dir / "data";
  options.config_path = dir / "tiny.yaml";
  options.out_dir = dir / "run";
  options.steps = 1;
  options.threads = 1;
  train(options, {});
  auto simulator = Simulator::load(dir / "run");
  REQUIRE(simulator->info().schema.dimension() == 0);
  dw::save_png(testing::moving_square(0, 0), dir / "start.png");
  RolloutJob job;
  job.out = dir / "out";
  job.source.start_images = {dir / "start.png"};
  job.source.steps = 4;
  REQUIRE(run_rollout_job(*simulator, job).steps == 4);
  CHECK(dw::data::read_gif(dir / "out" / "rollout.gif").size() == 4);
}

// The README's `--start a.png,b.png,c.png,d.png --actions walk.csv`: what happened between start
// images is unknown, so those actions are zero, and the dream equals a rollout given zeros.
TEST_CASE("2 and 4 start images roll out with zero actions between them", "[model][rollout]") {
  const auto dir = testing::scratch_dir("rollout_start_images");
  std::string yaml = testing::tiny_yaml();
  yaml.replace(yaml.find("context: 2"), 10, "context: 4");
  testing::write_text(dir / "context4.yaml", yaml);
  const auto schema = dw::data::ActionSchema::navigation({});
  auto simulator = Simulator::untrained(dir / "context4.yaml", schema);
  REQUIRE(simulator->info().context == 4);
  std::vector<dw::Image> images;
  std::vector<fs::path> paths;
  for (int k = 0; k < 4; ++k) {
    images.push_back(testing::moving_square(1, 3 * k));
    paths.push_back(dir / ("start" + std::to_string(k) + ".png"));
    dw::save_png(images.back(), paths.back());
  }
  testing::write_text(dir / "walk.csv", "forward,strafe,turn\n1,0,0\n1,0,0.5\n0,0,-1\n");
  const std::vector<std::vector<float>> walk{{1, 0, 0}, {1, 0, 0.5f}, {0, 0, -1}};
  for (const int count : {2, 4}) {
    RolloutJob job;
    job.out = dir / ("out" + std::to_string(count));
    job.source.start_images.assign(paths.begin(), paths.begin() + count);
    job.source.actions_csv = dir / "walk.csv";
    job.source.steps = 3;
    REQUIRE(run_rollout_job(*simulator, job).steps == 3);
    const std::vector<dw::Image> context(images.begin(), images.begin() + count);
    const std::vector<std::vector<float>> zeros(count - 1, std::vector<float>(3, 0.0f));
    const auto expected = rollout(*simulator, {context}, {zeros}, {walk}, 0);
    const auto written = trajectory_frames(job.out / "trajectory_000", 3);
    for (size_t k = 0; k < written.size(); ++k) CHECK(written[k].pixels == expected[0][k].pixels);
  }
}
