// Checkpoints of a run folder: model.safetensors (weights), model.json (config, action schema,
// step, seed, sampler position, sizes) and optimizer.safetensors at the top, older copies under
// checkpoints/step_NNNNNN/. Every file is written atomically and the step folder is complete
// before the top level is touched, so a kill at any moment leaves a loadable checkpoint.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "model/checkpoint_meta.h"
#include "model/config.h"
#include "model/world_model.h"

namespace dw::model {

// Builds the model of `meta` and loads its weights from `dir`; UserError naming the file on a
// missing tensor, a shape mismatch or a corrupt file.
WorldModel load_weights(const CheckpointFiles& files, const torch::Device& device);
void load_optimizer(const CheckpointFiles& files, WorldModel& model, torch::optim::Adam& optimizer);

void save_checkpoint(const std::filesystem::path& run_dir, CheckpointMeta meta, WorldModel& model,
                     torch::optim::Adam& optimizer);

// Named tensors of a module / Adam state, as stored in the safetensors files.
std::map<std::string, torch::Tensor> model_tensors(WorldModel& model);
std::string hash_weights(WorldModel& model);

}  // namespace dw::model
