// The planner's search: the cross-entropy method and MPPI over action sequences of a fixed
// horizon, scoring a whole population in one call (so an imagined population is one batch through
// the engine). Torch-free and model-free: it only sees a population cost, so tests can hand it a
// quadratic and the MPC loop (model/mpc.h) hands it imagination.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dw::model {

using ActionSequence = std::vector<std::vector<float>>;  // [horizon][action dimension], each in [-1, 1]

// Costs of a population, one per sequence (lower is better), computed in one call.
using PopulationCost = std::function<std::vector<double>(const std::vector<ActionSequence>& population)>;

enum class PlanMethod { cem, mppi };
// "cem" or "mppi"; UserError naming `flag` otherwise.
PlanMethod parse_plan_method(const std::string& name, const std::string& flag = "--method");
std::string plan_method_name(PlanMethod method);

struct PlannerOptions {
  PlanMethod method = PlanMethod::cem;
  int horizon = 16;
  int population = 64;        // N sequences per iteration (the batch)
  int elites = 8;             // E best that refit the Gaussian (CEM)
  int iterations = 3;         // K
  // CEM: the E elites of an iteration join the next one's ranking with the costs they already have
  // (as iCEM does), so every iteration after the first imagines only N - E new candidates.
  bool keep_elites = true;
  float initial_std = 0.6f;   // per step and dimension, before any refit
  float min_std = 0.05f;      // keeps CEM from collapsing before the last iteration
  float momentum = 0.0f;      // new mean = momentum * old + (1 - momentum) * refit (also the std)
  float temperature = 0.05f;  // MPPI: softmax over -(cost - best) / (temperature * cost spread)
  // Noise correlation between consecutive steps (AR(1), same marginal std): 0 = white noise;
  // closer to 1 samples smoother sequences that travel further, as a walk toward a goal does.
  float noise_correlation = 0.0f;
  std::uint64_t seed = 0;
};

// UserError (naming the flag) for a horizon, population, elites or iterations out of range,
// elites > population, stds out of (0, 2], momentum or noise correlation outside [0, 1), or
// temperature <= 0.
void check_planner_options(const PlannerOptions& options);

struct PlanResult {
  ActionSequence actions;               // the lowest-cost sequence evaluated in any iteration
  double cost = 0.0;                    // its cost
  int best_index = 0;                   // its index among the candidates `best_iteration` evaluated
  int best_iteration = 0;
  std::vector<double> cost_per_iteration;  // lowest cost in each iteration's population
};

// Keeps its Gaussian between calls, so each replanning starts from the previous plan shifted by the
// steps executed since (a warm start). Every call draws from its own stream of (seed, call number):
// the same seed and costs give the same plans.
class Planner {
 public:
  Planner(PlannerOptions options, int action_dimension);

  // Candidate 0 of every population is the current mean itself (no noise), so a good warm start is
  // never lost; the rest are the mean plus std x standard normal noise, clipped to [-1, 1]. With
  // keep_elites (CEM), iterations after the first hand `cost` N - E candidates and rank them with
  // the E kept ones. After the K iterations the mean becomes the returned plan (the warm start of
  // the next call).
  PlanResult plan(const PopulationCost& cost);
  // Drops the first `steps` of the mean (they were executed) and pads the tail with zeros; resets
  // the std to the initial one.
  void shift(int steps);

  const PlannerOptions& options() const { return options_; }
  const ActionSequence& mean() const { return mean_; }

 private:
  std::vector<ActionSequence> sample_population(std::uint64_t stream);
  void refit(const std::vector<ActionSequence>& population, const std::vector<double>& costs);

  PlannerOptions options_;
  int dimension_;
  ActionSequence mean_;
  ActionSequence std_;
  std::uint64_t calls_ = 0;
};

}  // namespace dw::model
