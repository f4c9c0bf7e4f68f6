// `dreamwalk plan` and `eval-plan` through the real binary on a tiny trained model: a short plan
// writes its outputs, and each bad input is one line with exit code 2.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "../model/tiny_run.h"
#include "cli_run.h"
#include "nav/base/atomic_file.h"
#include "nav/pose_text.h"
#include "nav/world.h"

using dw::testing::check_one_line_error;
using dw::testing::run_dreamwalk;
namespace fs = std::filesystem;

namespace {

const std::string kSmallPlanner = " --population 6 --elites 2 --iterations 1 --horizon 3 --replan-every 2 --max-steps 3";

std::string plan_base() {
  return "plan --checkpoint " + dw::model::testing::tiny_run().run.string() + " --world-seed 1" + kSmallPlanner;
}

std::string free_pose() { return dw::nav::format_pose(dw::nav::World(1).spawn_pose(7)); }

}  // namespace

TEST_CASE("plan executes a short plan in the world and writes its outputs", "[cli][plan]") {
  const fs::path out = dw::model::testing::scratch_dir("plan_cli") / "out";
  const auto result = run_dreamwalk(plan_base() + " --goal-pose " + free_pose() + " --out " + out.string());
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  for (const char* file : {"plan.json", "plan.gif", "map.png", "goal.png", "trajectory.csv", "frames/000000.png"}) {
    CHECK(fs::exists(out / file));
  }
  const auto json = nlohmann::json::parse(dw::read_whole_file(out / "plan.json"));
  CHECK(json["in_world"] == true);
  CHECK(json["steps"].get<int>() >= 1);
  CHECK(json["steps"].get<int>() <= 3);
  CHECK(json["success"].is_boolean());
  CHECK(json["replannings"].size() >= 1);
  CHECK(json["replannings"][0]["cost_per_iteration"].size() == 1);
  // Imagination only (no world): any model can plan to a goal image from start images.
  const fs::path frame = out / "frames" / "000000.png";
  const fs::path dream = out.parent_path() / "dream";
  const auto dreamed = run_dreamwalk(plan_base() + " --start " + frame.string() + " --goal " + frame.string() +
                                     " --cost-space pixels --out " + dream.string());
  INFO(dreamed.err);
  CHECK(dreamed.exit_code == 0);
  CHECK(nlohmann::json::parse(dw::read_whole_file(dream / "plan.json"))["in_world"] == false);
}

TEST_CASE("plan: CEM keeps its elites unless --no-keep-elites, and the plans differ", "[cli][plan]") {
  const fs::path dir = dw::model::testing::scratch_dir("plan_cli_elites");
  const std::string command = "plan --checkpoint " + dw::model::testing::tiny_run().run.string() +
                              " --world-seed 1 --population 6 --elites 2 --iterations 3 --horizon 3 --replan-every 2"
                              " --max-steps 3 --cost-space pixels --goal-pose " + free_pose();
  const auto costs_of = [&](const std::string& flags, const std::string& name) {
    const auto result = run_dreamwalk(command + flags + " --out " + (dir / name).string());
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto json = nlohmann::json::parse(dw::read_whole_file(dir / name / "plan.json"));
    std::vector<std::vector<double>> costs;
    for (const auto& replanning : json["replannings"]) costs.push_back(replanning["cost_per_iteration"]);
    return costs;
  };
  const auto kept = costs_of("", "kept");
  const auto fresh = costs_of(" --no-keep-elites", "fresh");
  REQUIRE_FALSE(kept.empty());
  // The kept elites are in every ranking: a replanning's best cost never rises over its iterations.
  for (const auto& replanning : kept) {
    REQUIRE(replanning.size() == 3);
    CHECK(replanning[1] <= replanning[0]);
    CHECK(replanning[2] <= replanning[1]);
  }
  // The first iteration is the same search; the later ones rank other candidates.
  CHECK(fresh.front().front() == kept.front().front());
  CHECK(fresh != kept);
}

TEST_CASE("plan: a goal image of another size is resized with a warning", "[cli][plan]") {
  const fs::path dir = dw::model::testing::scratch_dir("plan_cli_resize");
  dw::save_png(dw::nav::World(1).render_view(dw::nav::World(1).spawn_pose(2), 40), dir / "goal.png");
  const auto result = run_dreamwalk(plan_base() + " --goal " + (dir / "goal.png").string() + " --out " + (dir / "out").string());
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("warning") != std::string::npos);
  CHECK(result.err.find("resized") != std::string::npos);
}

TEST_CASE("plan and eval-plan: bad input is one line with exit code 2", "[cli][plan]") {
  const fs::path dir = dw::model::testing::scratch_dir("plan_cli_errors");
  const std::string out = " --out " + (dir / "out").string();
  check_one_line_error(run_dreamwalk(plan_base() + " --goal-pose 0.5,0.5,0" + out), "--goal-pose");
  check_one_line_error(run_dreamwalk(plan_base() + " --goal-pose 100,3,0" + out), "off the");
  check_one_line_error(run_dreamwalk(plan_base() + " --goal-pose " + free_pose() + " --elites 9" + out), "--elites");
  check_one_line_error(run_dreamwalk(plan_base() + out), "exactly one of --goal");
  check_one_line_error(run_dreamwalk(plan_base() + " --goal-pose " + free_pose() + " --method adam" + out), "cem, mppi");
  check_one_line_error(run_dreamwalk(plan_base() + " --goal-pose " + free_pose() + " --cost-space fog" + out),
                       "embedding, pixels, layout");
  check_one_line_error(run_dreamwalk("view --checkpoint " + dw::model::testing::tiny_run().run.string() +
                                     " --world-seed 1 --cost-space fog"),
                       "embedding, pixels, layout");
  check_one_line_error(run_dreamwalk(plan_base() + " --goal-pose " + free_pose() + " --replan-every 9" + out),
                       "--replan-every");

  // The same weights with actions that are not forward/strafe/turn: no world to take a goal pose in.
  const fs::path other = dir / "other_schema";
  fs::create_directories(other);
  for (const auto& entry : fs::directory_iterator(dw::model::testing::tiny_run().run)) {
    if (entry.is_regular_file()) fs::copy_file(entry.path(), other / entry.path().filename());
  }
  auto meta = nlohmann::json::parse(dw::read_whole_file(other / "model.json"));
  meta["action_schema"]["names"] = {"pan", "tilt", "zoom"};
  dw::write_file_atomically(other / "model.json", meta.dump());
  check_one_line_error(run_dreamwalk("plan --checkpoint " + other.string() + " --goal-pose " + free_pose() + out),
                       "not forward, strafe, turn");

  const auto& tiny = dw::model::testing::tiny_run();
  const std::string eval = "eval-plan --checkpoint " + tiny.run.string() + " --data " + tiny.data.string();
  check_one_line_error(run_dreamwalk(eval + " --k 4 --tasks 1"), "poses");
  check_one_line_error(run_dreamwalk(eval + " --baselines oracle"), "oracle");
  check_one_line_error(run_dreamwalk(eval + " --tasks 0"), "--tasks");
}
