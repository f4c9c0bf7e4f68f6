// The torch-free half of a checkpoint: model.json (config, action schema, step, seed, sampler
// position, sizes), which run folder and step folder to load from, and the step recorded in a
// weights file's header. model/checkpoint.h loads and saves the tensors; the CLI, the viewer and
// tests/fuzz read the metadata through these without LibTorch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "datasets/episode.h"
#include "model/config.h"

namespace dw::model {

// The "format" of model.json and the safetensors metadata of our checkpoints.
constexpr const char* kCheckpointFormat = "dreamwalk-checkpoint";

struct CheckpointMeta {
  Config config;
  data::ActionSchema schema;
  std::int64_t step = 0;
  std::uint64_t seed = 0;             // with `step` this is the whole RNG state of training
  std::uint64_t sampler_batches = 0;  // window sampler position
  std::int64_t parameters = 0;
  std::string weights_hash;
  std::string data_dir;               // what it was trained on (informational)
};

// A run folder or its model.json -> the run folder. UserError when neither.
std::filesystem::path resolve_run_dir(const std::filesystem::path& checkpoint);
bool has_checkpoint(const std::filesystem::path& run_dir);

// A loaded checkpoint: where its files were read from (the top level, or a step folder when the
// top level was caught half-updated).
struct CheckpointFiles {
  CheckpointMeta meta;
  std::filesystem::path dir;
};
// UserError naming model.json when it is missing, not JSON, or a field is missing or malformed.
CheckpointFiles read_checkpoint_meta(const std::filesystem::path& run_dir);

// model.json's text for `meta`, and the folder that keeps step `step`'s copy of a checkpoint.
std::string checkpoint_meta_text(const CheckpointMeta& meta);
std::filesystem::path checkpoint_step_dir(const std::filesystem::path& run_dir, std::int64_t step);

}  // namespace dw::model
