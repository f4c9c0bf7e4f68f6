// The one driver over the Simulator interface: reset every trajectory from its start frames (and
// the actions between them), then one batched step per action. Eval, the rollout job and the
// benches all roll out through it; the Simulator itself steps the imagination engine.
#include <cassert>

#include "model/simulator.h"
#include "nav/base/user_error.h"

namespace dw::model {

std::vector<std::vector<Image>> rollout(Simulator& simulator, const std::vector<std::vector<Image>>& start_frames,
                                        const std::vector<std::vector<std::vector<float>>>& start_actions,
                                        const std::vector<std::vector<std::vector<float>>>& actions,
                                        std::uint64_t seed, const RolloutProgress& progress) {
  if (start_frames.size() != actions.size()) {
    throw UserError("rollout: " + std::to_string(start_frames.size()) + " starts but " +
                    std::to_string(actions.size()) + " action sequences");
  }
  const size_t batch = start_frames.size();
  const size_t steps = batch ? actions.front().size() : 0;
  for (const auto& sequence : actions) {
    if (sequence.size() != steps) throw UserError("rollout: action sequences differ in length");
  }
  simulator.reset(start_frames, start_actions, seed);
  std::vector<std::vector<Image>> frames(batch);
  std::vector<std::vector<float>> step_actions(batch);
  for (size_t t = 0; t < steps; ++t) {
    for (size_t b = 0; b < batch; ++b) step_actions[b] = actions[b][t];
    std::vector<Image> next = simulator.step(step_actions);
    assert(next.size() == batch);
    for (size_t b = 0; b < batch; ++b) frames[b].push_back(std::move(next[b]));
    if (progress) progress(static_cast<int>(t) + 1, static_cast<int>(steps));
  }
  return frames;
}

}  // namespace dw::model
