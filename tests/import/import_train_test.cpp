// An action-free import (plain video, action dimension 0) is a dataset the model trains on as a
// video predictor: a few training steps, then a rollout driven by empty actions.
#include <catch2/catch.hpp>

#include "datasets/dataset.h"
#include "import_test_util.h"
#include "model/simulator.h"
#include "model/trainer.h"

using namespace dw;
using namespace dw::data;
using namespace dw::data::testing;

TEST_CASE("an action-free import trains for a few steps and rolls out", "[import][model]") {
  const auto dir = import_scratch("train_action_free");
  ImportOptions options;
  for (int r = 0; r < 3; ++r) {
    const auto frames = dir / ("rec" + std::to_string(r));
    write_frames(frames, 10, 20, 16);  // not square: the centre crop makes them 16x16
    options.sources.push_back({ImportSource::Kind::Frames, frames});
  }
  options.size = 16;
  options.split = {1, 1, 1};
  options.split_by = "recording";
  options.out = dir / "data";
  const auto summary = import_dataset(options);
  REQUIRE(summary.episodes == 3);
  REQUIRE(read_manifest(dir / "data").schema.dimension() == 0);

  write_text(dir / "tiny.yaml",
             "name: tiny\n"
             "model:\n  width: 16\n  height: 16\n  context: 2\n  encoder_channels: [8]\n"
             "  latent_channels: 4\n  state_channels: 8\n  hidden_channels: 8\n"
             "train:\n  batch: 2\n  horizon: 2\n  eval_every: 1000\n  eval_windows: 4\n  threads: 1\n");
  model::TrainOptions train;
  train.data_dir = dir / "data";
  train.config_path = dir / "tiny.yaml";
  train.out_dir = dir / "run";
  train.steps = 3;
  train.seed = 1;
  train.threads = 1;
  const auto result = model::train(train, {});
  CHECK(result.step == 3);

  auto simulator = model::Simulator::load(dir / "run");
  CHECK(simulator->info().schema.dimension() == 0);
  simulator->reset_single({pattern_frame(0, 16, 16), pattern_frame(1, 16, 16)}, 0);
  for (int t = 0; t < 3; ++t) {
    const Image next = simulator->step_single({});
    CHECK(next.width == 16);
    CHECK(next.height == 16);
  }
}
