// Batched rollout over the Simulator interface: one forward pass per step for all trajectories.
#include <cassert>

#include "model/simulator.h"
#include "nav/user_error.h"

namespace dw::model {

std::vector<std::vector<Image>> rollout(Simulator& simulator,
                                        const std::vector<std::vector<Image>>& start_frames,
                                        const std::vector<std::vector<std::vector<float>>>& actions,
                                        std::uint64_t seed) {
  if (start_frames.size() != actions.size()) {
    throw UserError("rollout: " + std::to_string(start_frames.size()) + " starts but " +
                    std::to_string(actions.size()) + " action sequences");
  }
  const size_t batch = start_frames.size();
  const size_t steps = batch ? actions.front().size() : 0;
  for (const auto& sequence : actions) {
    if (sequence.size() != steps) throw UserError("rollout: action sequences differ in length");
  }
  simulator.reset(start_frames, {}, seed);
  std::vector<std::vector<Image>> frames(batch);
  std::vector<std::vector<float>> step_actions(batch);
  for (size_t t = 0; t < steps; ++t) {
    for (size_t b = 0; b < batch; ++b) step_actions[b] = actions[b][t];
    std::vector<Image> next = simulator.step(step_actions);
    assert(next.size() == batch);
    for (size_t b = 0; b < batch; ++b) frames[b].push_back(std::move(next[b]));
  }
  return frames;
}

}  // namespace dw::model
