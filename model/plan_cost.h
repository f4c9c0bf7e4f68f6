// What the planner minimises over an imagined candidate: distance of its imagined frames to a goal
// (in pixels or in the encoder's feature space), a smoothness penalty on its actions, and the
// no-goal `explore` objective. A cost is one function of (actions, frames), so a new one is one
// function; torch-free.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "model/planner.h"

namespace dw::model {

using Features = std::vector<float>;  // one frame in a cost's space (pixels or encoder features)

// frames: the candidate's imagined frames in the cost's space, oldest first. When the costs only
// need the final frame, `frames` holds just that one (see ImaginedCost).
using CandidateCost = std::function<double(const ActionSequence& actions, const std::vector<Features>& frames)>;

double mean_squared_distance(const Features& a, const Features& b);

// Distance of the final frame to `goal` (with `nearest`: of the frame nearest to it, so a sequence
// that passes through the goal anywhere within the horizon scores), plus `all_frames_weight` x
// the mean distance of every frame given.
CandidateCost goal_cost(Features goal, float all_frames_weight = 0.0f, bool nearest = false);
// weight x mean squared change between consecutive actions (the first against zero is not counted).
CandidateCost smoothness_cost(float weight);
// Novelty: minus the mean over the frames given of the distance to the nearest entry of `memory`
// (the frames seen so far), so sequences that lead somewhere unseen cost less. An empty memory
// costs 0.
CandidateCost explore_cost(std::shared_ptr<const std::vector<Features>> memory);
CandidateCost sum_costs(std::vector<CandidateCost> costs);

}  // namespace dw::model
