// eval-plan's tasks and baselines on a small generated dataset: replaying the recorded actions
// reaches every goal exactly (the tasks and the scoring agree with the world), the world-as-model
// planner beats random actions, and the report repeats for a seed.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "datasets/generate.h"
#include "model/plan_eval.h"
#include "model_test_util.h"
#include "nav/base/user_error.h"

using namespace dw;
using namespace dw::model;

namespace {

// Only its description is used: the baselines never imagine.
class DescribedModel final : public Simulator {
 public:
  DescribedModel() {
    info_.width = 32;
    info_.height = 32;
    info_.context = 2;
    info_.schema = data::ActionSchema::navigation(nav::ActionLimits{});
  }
  const ModelInfo& info() const override { return info_; }
  void reset(const std::vector<std::vector<Image>>&, const std::vector<std::vector<std::vector<float>>>&,
             std::uint64_t) override {
    FAIL("the baselines must not run the model");
  }
  std::vector<Image> step(const std::vector<std::vector<float>>&) override { return {}; }
  void set_temperature(float) override {}
  float temperature() const override { return 0.0f; }
  std::shared_ptr<const SimulatorState> save_state() const override { return nullptr; }
  void restore_state(const std::shared_ptr<const SimulatorState>&) override {}

 private:
  ModelInfo info_;
};

std::filesystem::path small_dataset() {
  static const std::filesystem::path dir = [] {
    const auto out = testing::scratch_dir("plan_eval") / "data";
    data::GenerateOptions options;
    options.world_seed = 1;
    options.episodes = 1;
    options.val_episodes = 1;
    options.test_episodes = 3;
    options.unseen_worlds = 1;
    options.unseen_episodes = 1;
    options.steps = 40;
    options.size = 32;
    options.policy = "explore";
    options.threads = 1;
    data::generate_dataset(options, out, {});
    return out;
  }();
  return dir;
}

PlanEvalOptions small_eval() {
  PlanEvalOptions options;
  options.data = small_dataset();
  options.ks = {4, 8};
  options.tasks = 4;
  options.with_model = false;
  options.baselines = {"replay", "random", "world"};
  options.mpc.planner.horizon = 6;
  options.mpc.planner.population = 16;
  options.mpc.planner.elites = 4;
  options.mpc.planner.iterations = 2;
  options.mpc.planner.initial_std = 1.0f;
  options.mpc.replan_every = 3;
  options.mpc.max_steps = 0;  // 2k
  return options;
}

}  // namespace

TEST_CASE("eval-plan: replay reaches every goal, the world planner beats random, seeded", "[plan]") {
  DescribedModel model;
  auto space = pixel_space();
  const PlanEvalReport report = evaluate_planning(model, *space, small_eval());
  REQUIRE(report.rows.size() == 6u);
  double world_success = 0.0, random_success = 0.0;
  for (const PlanEvalRow& row : report.rows) {
    INFO("k " << row.k << " " << row.model);
    CHECK(row.tasks == 4);
    if (row.model == "replay") {
      CHECK(row.success_rate == 1.0);
      CHECK(row.position_error == 0.0);
      CHECK(row.ate == Approx(0.0).margin(1e-9));
      CHECK(row.planner == "none");
    }
    if (row.model == "world") {
      CHECK(row.planner == "cem");
      world_success += row.success_rate;
    }
    if (row.model == "random") random_success += row.success_rate;
  }
  CHECK(world_success > random_success);
  const auto json = nlohmann::json::parse(plan_eval_json(report));
  CHECK(json["tasks"] == 4);
  CHECK(json["results"].size() == 6u);
  CHECK(json["results"][0].contains("ms_per_plan"));
  // Everything but the timing repeats.
  const PlanEvalReport again = evaluate_planning(model, *space, small_eval());
  for (size_t i = 0; i < report.rows.size(); ++i) {
    CHECK(again.rows[i].success_rate == report.rows[i].success_rate);
    CHECK(again.rows[i].ate == report.rows[i].ate);
    CHECK(again.rows[i].rpe == report.rows[i].rpe);
  }
}

TEST_CASE("eval-plan: a k longer than every episode and an unknown baseline are rejected", "[plan]") {
  DescribedModel model;
  auto space = pixel_space();
  PlanEvalOptions options = small_eval();
  options.ks = {100};
  CHECK_THROWS_WITH(evaluate_planning(model, *space, options), Catch::Contains("at least 102 frames"));
  options = small_eval();
  options.baselines = {"oracle"};
  CHECK_THROWS_AS(evaluate_planning(model, *space, options), UserError);
}
