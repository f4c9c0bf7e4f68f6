// The shipped default model (models/default/) loads and beats copy-last-frame on a small test
// set generated here from the default data's world, by the eval protocol; with a view map of the
// walks it holds their later steps better than without.
#include <catch2/catch.hpp>

#include "datasets/generate.h"
#include "model/evaluate.h"
#include "model/simulator.h"
#include "model/view_map.h"
#include "model_test_util.h"

using namespace dw;
using namespace dw::model;

namespace {

// A few held-out walks in world 1 (the default dataset's world) under dir/data.
void generate_world1_walks(const std::filesystem::path& dir, int test_episodes, int steps, const std::string& policy) {
  data::GenerateOptions generate;
  generate.world_seed = 1;
  generate.episodes = 1;
  generate.val_episodes = 1;
  generate.test_episodes = test_episodes;
  generate.unseen_episodes = 1;
  generate.unseen_worlds = 1;
  generate.steps = steps;
  generate.policy = policy;
  generate.threads = 1;
  generate_dataset(generate, dir / "data", {});
}

}  // namespace

TEST_CASE("the shipped default model loads and beats copy-last", "[model][shipped]") {
  const auto dir = testing::scratch_dir("shipped");
  generate_world1_walks(dir, 4, 40, "explore,keys");

  auto simulator = Simulator::load(std::filesystem::path(DREAMWALK_SOURCE_DIR) / "models" / "default");
  CHECK(simulator->info().width == 64);
  EvalOptions options;
  options.context = simulator->info().context;
  options.horizon = 8;
  options.stride = 4;
  options.strips = 0;
  const EvalReport report = evaluate(*simulator, dir / "data", options);
  REQUIRE(report.windows >= 8);
  for (int k = 0; k < options.horizon; ++k) {
    INFO("step " << k + 1);
    CHECK(report.model.mean(k).psnr > report.baseline.mean(k).psnr + 1.0);
    CHECK(report.model.mean(k).layout_psnr > report.baseline.mean(k).layout_psnr);
  }
}

TEST_CASE("the shipped model with a view map of the walks holds them better than without", "[model][shipped][views]") {
  // Walks in world 1 whose views the map holds (it is built from them): located exactly, their
  // later steps are recalled views instead of fog.
  const auto dir = testing::scratch_dir("shipped_views");
  generate_world1_walks(dir, 3, 60, "explore");  // no wall pushes: dead reckoning follows the recorded poses
  const std::filesystem::path shipped = std::filesystem::path(DREAMWALK_SOURCE_DIR) / "models" / "default";
  std::filesystem::create_directories(dir / "run");
  for (const char* file : {"model.json", "model.safetensors"}) std::filesystem::copy(shipped / file, dir / "run" / file);
  ViewMap::build(dir / "data", "test", {}).save(dir / "run" / kViewMapFile);

  auto simulator = Simulator::load(dir / "run");
  REQUIRE(simulator->view_map());
  EvalOptions options;
  options.context = simulator->info().context;
  options.horizon = 24;
  options.stride = 12;
  options.strips = 0;
  const EvalReport with_map = evaluate(*simulator, dir / "data", options);
  simulator->set_view_map(false);
  const EvalReport without = evaluate(*simulator, dir / "data", options);
  REQUIRE(with_map.windows >= 6);
  for (int k = 7; k < options.horizon; ++k) {
    INFO("step " << k + 1);
    CHECK(with_map.model.mean(k).layout_psnr > without.model.mean(k).layout_psnr + 1.0);
    CHECK(with_map.model.mean(k).sharpness > without.model.mean(k).sharpness);
  }
}
