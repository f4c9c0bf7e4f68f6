// The search itself on costs with a known answer: CEM and MPPI find the minimum of a quadratic over
// actions, plans repeat for a seed, warm starts shift, bad options are rejected; and the costs.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/plan_cost.h"
#include "model/planner.h"
#include "nav/base/user_error.h"

using namespace dw::model;

namespace {

// sum over steps and dimensions of (a - target)^2, target varying per step and dimension.
float target_of(size_t t, size_t d) { return std::sin(1.3f * static_cast<float>(t) + 2.1f * static_cast<float>(d)) * 0.8f; }

PopulationCost quadratic() {
  return [](const std::vector<ActionSequence>& population) {
    std::vector<double> costs;
    for (const auto& sequence : population) {
      double cost = 0.0;
      for (size_t t = 0; t < sequence.size(); ++t) {
        for (size_t d = 0; d < sequence[t].size(); ++d) cost += std::pow(sequence[t][d] - target_of(t, d), 2);
      }
      costs.push_back(cost);
    }
    return costs;
  };
}

PlannerOptions search_options(PlanMethod method) {
  PlannerOptions options;
  options.method = method;
  options.horizon = 4;
  options.population = 64;
  options.elites = 8;
  options.iterations = 25;
  options.seed = 3;
  return options;
}

double worst_error(const ActionSequence& plan) {
  double worst = 0.0;
  for (size_t t = 0; t < plan.size(); ++t) {
    for (size_t d = 0; d < plan[t].size(); ++d) worst = std::max(worst, static_cast<double>(std::fabs(plan[t][d] - target_of(t, d))));
  }
  return worst;
}

}  // namespace

TEST_CASE("CEM and MPPI find the minimum of a quadratic over actions", "[plan]") {
  for (PlanMethod method : {PlanMethod::cem, PlanMethod::mppi}) {
    INFO(plan_method_name(method));
    Planner planner(search_options(method), 3);
    const PlanResult result = planner.plan(quadratic());
    REQUIRE(result.actions.size() == 4);
    CHECK(worst_error(result.actions) < 0.06);
    REQUIRE(result.cost_per_iteration.size() == 25);
    CHECK(result.cost_per_iteration.back() < 0.5 * result.cost_per_iteration.front());
    CHECK(result.cost == Approx(*std::min_element(result.cost_per_iteration.begin(), result.cost_per_iteration.end())));
  }
}

TEST_CASE("the same seed gives the same plan, another seed another", "[plan]") {
  for (PlanMethod method : {PlanMethod::cem, PlanMethod::mppi}) {
    PlannerOptions options = search_options(method);
    options.iterations = 2;
    Planner a(options, 3), b(options, 3);
    options.seed = 4;
    Planner c(options, 3);
    const ActionSequence plan_a = a.plan(quadratic()).actions;
    CHECK(plan_a == b.plan(quadratic()).actions);
    CHECK(plan_a != c.plan(quadratic()).actions);
    // Replanning draws fresh numbers, still repeatably.
    a.shift(1);
    b.shift(1);
    CHECK(a.plan(quadratic()).actions == b.plan(quadratic()).actions);
  }
}

TEST_CASE("a warm start is the previous plan shifted, and is never lost", "[plan]") {
  PlannerOptions options = search_options(PlanMethod::cem);
  Planner planner(options, 3);
  const PlanResult first = planner.plan(quadratic());
  planner.shift(1);
  REQUIRE(planner.mean().size() == 4);
  CHECK(planner.mean()[0] == first.actions[1]);
  CHECK(planner.mean()[3] == std::vector<float>{0.0f, 0.0f, 0.0f});
  // Candidate 0 is the mean, so a cost that only likes the warm start finds it again.
  const ActionSequence warm = planner.mean();
  const PlanResult again = planner.plan([&](const std::vector<ActionSequence>& population) {
    std::vector<double> costs;
    for (const auto& sequence : population) costs.push_back(sequence == warm ? 0.0 : 1.0);
    return costs;
  });
  CHECK(again.actions == warm);
  CHECK(again.best_index == 0);
}

TEST_CASE("CEM keeps its elites: later iterations imagine N - E new candidates and rank them with the kept",
          "[plan]") {
  const auto sizes_asked = [](PlannerOptions options, std::vector<size_t>& sizes) {
    Planner planner(options, 3);
    return planner.plan([&](const std::vector<ActionSequence>& population) {
      sizes.push_back(population.size());
      return quadratic()(population);
    });
  };
  PlannerOptions options = search_options(PlanMethod::cem);
  options.iterations = 6;
  std::vector<size_t> kept_sizes;
  const PlanResult kept = sizes_asked(options, kept_sizes);
  CHECK(kept_sizes == std::vector<size_t>{64, 56, 56, 56, 56, 56});
  // The kept elites are in every ranking, so the best cost of an iteration never rises.
  for (size_t k = 1; k < kept.cost_per_iteration.size(); ++k) {
    CHECK(kept.cost_per_iteration[k] <= kept.cost_per_iteration[k - 1]);
  }
  CHECK(kept.cost == kept.cost_per_iteration.back());

  options.keep_elites = false;
  std::vector<size_t> fresh_sizes;
  sizes_asked(options, fresh_sizes);
  CHECK(fresh_sizes == std::vector<size_t>(6, 64));
  // MPPI weighs the whole population: it keeps nothing.
  options = search_options(PlanMethod::mppi);
  options.iterations = 3;
  std::vector<size_t> mppi_sizes;
  sizes_asked(options, mppi_sizes);
  CHECK(mppi_sizes == std::vector<size_t>(3, 64));
  // As many elites as candidates: the mean is still imagined anew.
  options = search_options(PlanMethod::cem);
  options.iterations = 3;
  options.elites = options.population;
  std::vector<size_t> all_elite_sizes;
  sizes_asked(options, all_elite_sizes);
  CHECK(all_elite_sizes == std::vector<size_t>{64, 1, 1});
}

TEST_CASE("planner options out of range are rejected", "[plan]") {
  PlannerOptions options = search_options(PlanMethod::cem);
  options.elites = 65;
  CHECK_THROWS_WITH(check_planner_options(options), Catch::Contains("--elites") && Catch::Contains("--population"));
  options = search_options(PlanMethod::cem);
  options.horizon = 0;
  CHECK_THROWS_AS(check_planner_options(options), dw::UserError);
  options = search_options(PlanMethod::cem);
  options.momentum = 1.0f;
  CHECK_THROWS_WITH(check_planner_options(options), Catch::Contains("--momentum"));
  CHECK_THROWS_WITH(parse_plan_method("adam"), Catch::Contains("cem, mppi"));
  CHECK_THROWS_AS(Planner(search_options(PlanMethod::cem), 0), dw::UserError);
}

TEST_CASE("costs: goal distance, smoothness and novelty", "[plan]") {
  const ActionSequence still(3, std::vector<float>{0.0f, 0.0f});
  const ActionSequence jerky{{1.0f, 0.0f}, {-1.0f, 0.0f}, {1.0f, 0.0f}};
  CHECK(smoothness_cost(1.0f)(still, {}) == 0.0);
  CHECK(smoothness_cost(1.0f)(jerky, {}) == Approx(2.0));  // (4 + 0 + 4 + 0) / 4

  const Features goal{1.0f, 1.0f};
  const std::vector<Features> near_end{{0.0f, 0.0f}, {1.0f, 1.0f}};
  const std::vector<Features> far_end{{1.0f, 1.0f}, {0.0f, 0.0f}};
  CHECK(goal_cost(goal)(still, near_end) == 0.0);
  CHECK(goal_cost(goal)(still, far_end) == Approx(1.0));
  CHECK(goal_cost(goal, 1.0f)(still, near_end) == Approx(0.5));
  CHECK(goal_cost(goal, 0.0f, true)(still, far_end) == 0.0);  // passes through the goal on the way

  auto memory = std::make_shared<std::vector<Features>>();
  CHECK(explore_cost(memory)(still, far_end) == 0.0);
  memory->push_back({0.0f, 0.0f});
  const double seen = explore_cost(memory)({}, {{0.0f, 0.0f}});
  const double unseen = explore_cost(memory)({}, {{2.0f, 2.0f}});
  CHECK(seen == 0.0);
  CHECK(unseen < seen);
  CHECK(sum_costs({goal_cost(goal), smoothness_cost(1.0f)})(jerky, far_end) == Approx(3.0));
}
