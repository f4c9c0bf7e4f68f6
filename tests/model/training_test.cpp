// Training end to end on a tiny dataset: exact resume, the NaN guard, and a clear UserError for
// each kind of damaged checkpoint.
#include <catch2/catch.hpp>

#include "model/checkpoint.h"
#include "model/safetensors.h"
#include "model/simulator.h"
#include "model/trainer.h"
#include "model_test_util.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

using namespace dw::model;
namespace fs = std::filesystem;

namespace {

TrainOptions tiny_options(const fs::path& dir, const std::string& run, std::int64_t steps) {
  TrainOptions options;
  options.data_dir = dir / "data";
  options.config_path = dir / "tiny.yaml";
  options.out_dir = dir / run;
  options.steps = steps;
  options.seed = 11;
  options.threads = 1;
  return options;
}

fs::path prepare(const std::string& name) {
  const fs::path dir = testing::scratch_dir(name);
  fs::create_directories(dir / "data");
  testing::write_tiny_dataset(dir / "data");
  testing::write_text(dir / "tiny.yaml", testing::tiny_yaml());
  return dir;
}

void require_load_error(const fs::path& run, const fs::path& named, const std::string& problem) {
  try {
    Simulator::load(run);
    FAIL("no error for " << problem);
  } catch (const dw::UserError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(named.string()) != std::string::npos);
    CHECK(std::string(e.what()).find(problem) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("5 steps + resume + 5 steps equals 10 steps straight, bit for bit", "[model][train]") {
  const fs::path dir = prepare("resume");
  const TrainSummary straight = train(tiny_options(dir, "straight", 10), {});
  CHECK(straight.step == 10);
  train(tiny_options(dir, "split", 5), {});
  TrainOptions second = tiny_options(dir, "split", 5);
  second.resume = true;
  CHECK(train(second, {}).step == 10);

  const TensorMap a = load_safetensors(dir / "straight" / "model.safetensors");
  const TensorMap b = load_safetensors(dir / "split" / "model.safetensors");
  REQUIRE(a.size() == b.size());
  for (const auto& [name, tensor] : a) {
    INFO(name);
    CHECK(torch::equal(tensor, b.at(name)));
  }
  const TensorMap adam_a = load_safetensors(dir / "straight" / "optimizer.safetensors");
  const TensorMap adam_b = load_safetensors(dir / "split" / "optimizer.safetensors");
  for (const auto& [name, tensor] : adam_a) CHECK(torch::equal(tensor, adam_b.at(name)));
  // Validation ran at the eval_every = 5 checkpoints and was appended as JSON lines.
  CHECK(fs::exists(dir / "straight" / "metrics.jsonl"));
  CHECK(fs::exists(dir / "straight" / "preview.png"));
  CHECK(fs::is_directory(dir / "straight" / "checkpoints" / "step_000010"));
}

TEST_CASE("a new run refuses a folder that holds one; --resume needs one", "[model][train]") {
  const fs::path dir = prepare("refuse");
  train(tiny_options(dir, "run", 1), {});
  CHECK_THROWS_AS(train(tiny_options(dir, "run", 1), {}), dw::UserError);
  TrainOptions resume = tiny_options(dir, "empty", 1);
  resume.resume = true;
  CHECK_THROWS_AS(train(resume, {}), dw::UserError);
  TrainOptions no_budget = tiny_options(dir, "other", 0);
  CHECK_THROWS_AS(train(no_budget, {}), dw::UserError);
}

TEST_CASE("a NaN loss stops training and keeps the last good checkpoint", "[model][train]") {
  const fs::path dir = prepare("nan");
  TrainOptions options = tiny_options(dir, "run", 20);
  options.poison_loss_at_step = 7;  // steps 1..5 run, checkpoint at 5, then NaN on the 8th step
  try {
    train(options, {});
    FAIL("training did not stop");
  } catch (const TrainingDiverged& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("step 8") != std::string::npos);
    CHECK(std::string(e.what()).find("step 5") != std::string::npos);
  }
  const CheckpointFiles files = read_checkpoint_meta(dir / "run");
  CHECK(files.meta.step == 5);
  auto simulator = Simulator::load(dir / "run");  // still loads
  CHECK(simulator->info().width == 16);
}

TEST_CASE("each damaged checkpoint gives one UserError naming the file", "[model][checkpoint]") {
  const fs::path dir = prepare("damaged");
  train(tiny_options(dir, "run", 2), {});
  const fs::path run = dir / "run";
  const std::string weights = dw::read_whole_file(run / "model.safetensors");
  const std::string meta = dw::read_whole_file(run / "model.json");
  fs::remove_all(run / "checkpoints");  // no fallback copies: the top-level files are all there is

  SECTION("truncated weights") {
    testing::write_text(run / "model.safetensors", weights.substr(0, weights.size() / 2));
    require_load_error(run, run / "model.safetensors", "truncated");
  }
  SECTION("weights header that is not JSON") {
    std::string bad = weights;
    bad[8] = '#';
    testing::write_text(run / "model.safetensors", bad);
    require_load_error(run, run / "model.safetensors", "JSON");
  }
  SECTION("a missing tensor") {
    TensorMap tensors = load_safetensors(run / "model.safetensors");
    tensors.erase(tensors.begin());
    save_safetensors(run / "model.safetensors", tensors, {{"step", "2"}});
    require_load_error(run, run / "model.safetensors", "missing");
  }
  SECTION("weights that do not match the config") {
    std::string changed = meta;
    const auto at = changed.find("\"state_channels\": 8");
    REQUIRE(at != std::string::npos);
    changed.replace(at, 19, "\"state_channels\": 9");
    testing::write_text(run / "model.json", changed);
    require_load_error(run, run / "model.safetensors", "does not match the config");
  }
  SECTION("model.json that is not JSON") {
    testing::write_text(run / "model.json", meta.substr(0, meta.size() / 2));
    require_load_error(run, run / "model.json", "not valid JSON");
  }
  SECTION("model.json without its fields") {
    testing::write_text(run / "model.json", "{\"format\": \"dreamwalk-checkpoint\", \"version\": 1}");
    require_load_error(run, run / "model.json", "missing or malformed");
  }
  SECTION("a checkpoint format version this Dreamwalk does not read") {
    std::string changed = meta;
    const auto at = changed.find("\"version\": 2");
    REQUIRE(at != std::string::npos);
    changed.replace(at, 12, "\"version\": 9");
    testing::write_text(run / "model.json", changed);
    require_load_error(run, run / "model.json", "format version 9");
  }
  SECTION("not a run folder") {
    require_load_error(dir / "data", dir / "data", "no model.json");
  }
}

TEST_CASE("a checkpoint is found through its model.json as well as its folder", "[model][checkpoint]") {
  const fs::path dir = prepare("by_json");
  train(tiny_options(dir, "run", 1), {});
  auto by_folder = Simulator::load(dir / "run");
  auto by_json = Simulator::load(dir / "run" / "model.json");
  CHECK(by_folder->info().weights_hash == by_json->info().weights_hash);
  CHECK(by_folder->info().schema.dimension() == 3);
  CHECK(by_folder->info().context == 2);
}
