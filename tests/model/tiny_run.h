// A tiny trained run and dataset shared by the simulator, eval and rollout tests (training is
// the slow part, so each test executable trains it once).
#pragma once

#include <filesystem>

#include "model/trainer.h"
#include "model_test_util.h"

namespace dw::model::testing {

struct TinyRun {
  std::filesystem::path data;
  std::filesystem::path run;
};

inline const TinyRun& tiny_run() {
  static const TinyRun run = [] {
    const std::filesystem::path dir = scratch_dir("tiny_run");
    std::filesystem::create_directories(dir / "data");
    write_tiny_dataset(dir / "data");
    write_text(dir / "tiny.yaml", tiny_yaml());
    TrainOptions options;
    options.data_dir = dir / "data";
    options.config_path = dir / "tiny.yaml";
    options.out_dir = dir / "run";
    options.steps = 2;
    options.threads = 1;
    train(options, {});
    return TinyRun{dir / "data", dir / "run"};
  }();
  return run;
}

}  // namespace dw::model::testing
