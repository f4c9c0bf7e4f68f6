#include "model/planner.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

#include "nav/random.h"
#include "nav/base/user_error.h"

namespace dw::model {

namespace {

constexpr int kMaxHorizon = 256;
constexpr int kMaxPopulation = 4096;
constexpr int kMaxIterations = 100;

// Box-Muller over the project's own PRNG: std::normal_distribution differs between standard
// libraries, and plans must repeat bit for bit.
float standard_normal(nav::Rng& rng) {
  const float u1 = std::max(rng.uniform01(), 1e-7f);
  const float u2 = rng.uniform01();
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853f * u2);
}

void check_range(int value, int lo, int hi, const char* flag) {
  if (value < lo || value > hi) {
    throw UserError(std::string(flag) + " must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", not " +
                    std::to_string(value));
  }
}

// Indices of `costs` from lowest to highest; ties keep the lower index (deterministic).
std::vector<int> ranking(const std::vector<double>& costs) {
  std::vector<int> order(costs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return costs[a] < costs[b]; });
  return order;
}

}  // namespace

PlanMethod parse_plan_method(const std::string& name, const std::string& flag) {
  if (name == "cem") return PlanMethod::cem;
  if (name == "mppi") return PlanMethod::mppi;
  throw UserError(flag + ": '" + name + "' is not one of cem, mppi");
}

std::string plan_method_name(PlanMethod method) { return method == PlanMethod::cem ? "cem" : "mppi"; }

void check_planner_options(const PlannerOptions& options) {
  check_range(options.horizon, 1, kMaxHorizon, "--horizon");
  check_range(options.population, 2, kMaxPopulation, "--population");
  check_range(options.iterations, 1, kMaxIterations, "--iterations");
  if (options.elites < 1 || options.elites > options.population) {
    throw UserError("--elites must be in 1..--population (" + std::to_string(options.population) + "), not " +
                    std::to_string(options.elites));
  }
  if (!(options.initial_std > 0.0f && options.initial_std <= 2.0f)) throw UserError("--std must be in (0, 2]");
  if (!(options.min_std > 0.0f && options.min_std <= options.initial_std))
    throw UserError("--min-std must be in (0, --std]");
  if (!(options.momentum >= 0.0f && options.momentum < 1.0f)) throw UserError("--momentum must be in [0, 1)");
  if (!(options.noise_correlation >= 0.0f && options.noise_correlation < 1.0f))
    throw UserError("--noise-correlation must be in [0, 1)");
  if (!(options.temperature > 0.0f && std::isfinite(options.temperature)))
    throw UserError("--temperature must be positive");
}

Planner::Planner(PlannerOptions options, int action_dimension) : options_(options), dimension_(action_dimension) {
  check_planner_options(options_);
  if (dimension_ < 1) throw UserError("planning needs a model with actions (its action dimension is 0)");
  mean_.assign(options_.horizon, std::vector<float>(dimension_, 0.0f));
  std_.assign(options_.horizon, std::vector<float>(dimension_, options_.initial_std));
}

void Planner::shift(int steps) {
  steps = std::clamp(steps, 0, options_.horizon);
  mean_.erase(mean_.begin(), mean_.begin() + steps);
  mean_.resize(options_.horizon, std::vector<float>(dimension_, 0.0f));
  std_.assign(options_.horizon, std::vector<float>(dimension_, options_.initial_std));
}

std::vector<ActionSequence> Planner::sample_population(std::uint64_t stream) {
  nav::Rng rng(nav::mix_seed(options_.seed, stream));
  std::vector<ActionSequence> population(options_.population, mean_);
  const float beta = options_.noise_correlation;
  const float fresh = std::sqrt(1.0f - beta * beta);  // keeps each step's noise standard normal
  std::vector<float> noise(static_cast<size_t>(dimension_));
  for (size_t n = 1; n < population.size(); ++n) {
    for (int t = 0; t < options_.horizon; ++t) {
      for (int d = 0; d < dimension_; ++d) {
        noise[d] = t == 0 ? standard_normal(rng) : beta * noise[d] + fresh * standard_normal(rng);
        population[n][t][d] = std::clamp(mean_[t][d] + std_[t][d] * noise[d], -1.0f, 1.0f);
      }
    }
  }
  return population;
}

// CEM: the elites' mean and std. MPPI: softmax weights over the whole population, with the
// temperature relative to the cost spread so one setting works for pixel and embedding costs.
void Planner::refit(const std::vector<ActionSequence>& population, const std::vector<double>& costs) {
  const std::vector<int> order = ranking(costs);
  std::vector<double> weights(population.size(), 0.0);
  if (options_.method == PlanMethod::cem) {
    for (int e = 0; e < options_.elites; ++e) weights[order[e]] = 1.0 / options_.elites;
  } else {
    const double best = costs[order.front()];
    const double spread = std::max(costs[order.back()] - best, 1e-12);
    double total = 0.0;
    for (size_t n = 0; n < costs.size(); ++n) {
      weights[n] = std::exp(-(costs[n] - best) / (options_.temperature * spread));
      total += weights[n];
    }
    for (double& w : weights) w /= total;
  }
  const float keep = options_.momentum;
  for (int t = 0; t < options_.horizon; ++t) {
    for (int d = 0; d < dimension_; ++d) {
      double mean = 0.0, square = 0.0;
      for (size_t n = 0; n < population.size(); ++n) mean += weights[n] * population[n][t][d];
      for (size_t n = 0; n < population.size(); ++n) {
        square += weights[n] * (population[n][t][d] - mean) * (population[n][t][d] - mean);
      }
      mean_[t][d] = keep * mean_[t][d] + (1.0f - keep) * static_cast<float>(mean);
      const float refit_std = static_cast<float>(std::sqrt(square));
      std_[t][d] = std::max(options_.min_std, keep * std_[t][d] + (1.0f - keep) * refit_std);
    }
  }
}

PlanResult Planner::plan(const PopulationCost& cost) {
  PlanResult result;
  result.cost = INFINITY;
  const std::uint64_t call = calls_++;
  const bool keep = options_.keep_elites && options_.method == PlanMethod::cem;
  std::vector<ActionSequence> kept;
  std::vector<double> kept_costs;
  for (int k = 0; k < options_.iterations; ++k) {
    // Drawn whole and cut, so each candidate's noise does not depend on how many were kept.
    std::vector<ActionSequence> population =
        sample_population(call * static_cast<std::uint64_t>(kMaxIterations) + static_cast<std::uint64_t>(k));
    population.resize(population.size() - kept.size());
    std::vector<double> costs = cost(population);
    assert(costs.size() == population.size());
    const int best = ranking(costs).front();
    if (costs[best] < result.cost) {
      result.cost = costs[best];
      result.actions = population[best];
      result.best_index = best;
      result.best_iteration = k;
    }
    population.insert(population.end(), kept.begin(), kept.end());
    costs.insert(costs.end(), kept_costs.begin(), kept_costs.end());
    const std::vector<int> order = ranking(costs);
    result.cost_per_iteration.push_back(costs[order.front()]);
    refit(population, costs);
    if (!keep || k + 1 == options_.iterations) continue;
    kept.clear();
    kept_costs.clear();
    for (int e = 0; e < options_.elites && e + 1 < options_.population; ++e) {
      kept.push_back(population[order[e]]);
      kept_costs.push_back(costs[order[e]]);
    }
  }
  if (result.actions.empty()) result.actions = mean_;  // every cost was NaN: keep the mean
  mean_ = result.actions;  // so the next call's warm start is this plan, shifted
  return result;
}

}  // namespace dw::model
