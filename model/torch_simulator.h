// Model-internal: wraps a live WorldModel as a Simulator (the trainer validates through the same
// code path as every tool) and picks the device once from its name.
#pragma once

#include <memory>
#include <string>

#include "model/simulator.h"
#include "model/view_map.h"
#include "model/world_model.h"

namespace dw::model {

// "cpu" or "cuda"; UserError when CUDA is asked for but not available.
torch::Device choose_device(const std::string& name);

// `views`: the run's view map (model/view_map.h), or none.
std::unique_ptr<Simulator> make_simulator(WorldModel model, ModelInfo info, const torch::Device& device,
                                          std::shared_ptr<const ViewMap> views = nullptr);

}  // namespace dw::model
