#include "model/plan_cost.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace dw::model {

double mean_squared_distance(const Features& a, const Features& b) {
  assert(a.size() == b.size() && !a.empty());
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    sum += d * d;
  }
  return sum / static_cast<double>(a.size());
}

CandidateCost goal_cost(Features goal, float all_frames_weight, bool nearest) {
  return [goal = std::move(goal), all_frames_weight, nearest](const ActionSequence&, const std::vector<Features>& frames) {
    double cost = mean_squared_distance(frames.back(), goal);
    if (nearest) {
      for (const Features& frame : frames) cost = std::min(cost, mean_squared_distance(frame, goal));
    }
    if (all_frames_weight > 0.0f) {
      double sum = 0.0;
      for (const Features& frame : frames) sum += mean_squared_distance(frame, goal);
      cost += all_frames_weight * sum / static_cast<double>(frames.size());
    }
    return cost;
  };
}

CandidateCost smoothness_cost(float weight) {
  return [weight](const ActionSequence& actions, const std::vector<Features>&) {
    double sum = 0.0;
    size_t terms = 0;
    for (size_t t = 1; t < actions.size(); ++t) {
      for (size_t d = 0; d < actions[t].size(); ++d) {
        const double change = static_cast<double>(actions[t][d]) - actions[t - 1][d];
        sum += change * change;
        ++terms;
      }
    }
    return terms ? weight * sum / static_cast<double>(terms) : 0.0;
  };
}

CandidateCost explore_cost(std::shared_ptr<const std::vector<Features>> memory) {
  return [memory = std::move(memory)](const ActionSequence&, const std::vector<Features>& frames) {
    if (memory->empty()) return 0.0;
    double novelty = 0.0;
    for (const Features& frame : frames) {
      double nearest = std::numeric_limits<double>::infinity();
      for (const Features& seen : *memory) nearest = std::min(nearest, mean_squared_distance(frame, seen));
      novelty += nearest;
    }
    return -novelty / static_cast<double>(frames.size());
  };
}

CandidateCost sum_costs(std::vector<CandidateCost> costs) {
  return [costs = std::move(costs)](const ActionSequence& actions, const std::vector<Features>& frames) {
    double total = 0.0;
    for (const CandidateCost& cost : costs) total += cost(actions, frames);
    return total;
  };
}

}  // namespace dw::model
