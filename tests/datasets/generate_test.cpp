// Dataset generation: a small generated dataset validates, has the planned splits (held-out world
// seeds in test_unseen), is byte-identical for any thread count, mixes policies by episode, and
// refuses bad options and overwriting.
#include <catch2/catch.hpp>

#include <map>

#include "datasets/contact_sheet.h"
#include "datasets/dataset.h"
#include "datasets/generate.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"
#include "tests/datasets/test_episodes.h"

namespace fs = std::filesystem;
using namespace dw::data;
using dw::data::testing::scratch_dir;

namespace {

GenerateOptions tiny_options(int threads) {
  GenerateOptions options;
  options.world_seed = 11;
  options.worlds = 2;
  options.episodes = 3;
  options.steps = 4;
  options.size = 32;
  options.policy = "explore";
  options.unseen_worlds = 1;
  options.threads = threads;
  return options;
}

// Every file under `dir` (relative path -> bytes).
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files[fs::relative(entry.path(), dir).string()] = dw::read_whole_file(entry.path());
  return files;
}

}  // namespace

TEST_CASE("a generated dataset validates and has the planned splits", "[datasets][generate]") {
  const auto dir = scratch_dir("generate_splits");
  int last_done = 0, total = 0;
  generate_dataset(tiny_options(2), dir / "data", [&](int done, int of) {
    CHECK(done == last_done + 1);
    last_done = done;
    total = of;
  });
  CHECK(total == 3 + 1 + 1 + 1);
  CHECK(last_done == total);
  const auto report = validate_dataset_report(dir / "data");
  INFO((report.problems.empty() ? std::string() : report.problems.front()));
  CHECK(report.problems.empty());
  CHECK(report.frames == 6 * 5);
  const Manifest manifest = read_manifest(dir / "data");
  CHECK(manifest.splits.at("train").size() == 3);
  CHECK(manifest.splits.at("val").size() == 1);
  CHECK(manifest.splits.at("test").size() == 1);
  const Episode unseen = read_episode(dir / "data" / manifest.splits.at("test_unseen").front());
  CHECK(unseen.meta.world_seed == 11u + 1000u);
  const Episode second = read_episode(dir / "data" / manifest.splits.at("train")[1]);
  CHECK(second.meta.world_seed == 12u);
  CHECK(second.poses.size() == 5);
  CHECK(second.meta.policy == "explore");
  CHECK(dw::temporaries_of(dir / "data").empty());

  const dw::Image sheet = make_contact_sheet(dir / "data", {"train", 2, 3, 0});
  CHECK(sheet.width == 3 * 33 + 1);
  CHECK(sheet.height == 2 * 33 + 1);
}

TEST_CASE("generation output does not depend on the thread count", "[datasets][generate]") {
  const auto dir = scratch_dir("generate_threads");
  generate_dataset(tiny_options(1), dir / "one", nullptr);
  generate_dataset(tiny_options(3), dir / "three", nullptr);
  const auto one = snapshot(dir / "one");
  CHECK(one.size() == 1 + 6 * (1 + 5));
  CHECK(one == snapshot(dir / "three"));
}

TEST_CASE("generation refuses bad options and existing output", "[datasets][generate]") {
  const auto dir = scratch_dir("generate_refuses");
  GenerateOptions bad_policy = tiny_options(1);
  bad_policy.policy = "teleport";
  REQUIRE_THROWS_WITH(generate_dataset(bad_policy, dir / "x", nullptr),
                      Catch::Contains("teleport") && Catch::Contains("explore"));
  CHECK_FALSE(fs::exists(dir / "x"));
  fs::create_directories(dir / "full");
  dw::write_file_atomically(dir / "full" / "notes.txt", std::string("mine"));
  REQUIRE_THROWS_WITH(generate_dataset(tiny_options(1), dir / "full", nullptr),
                      Catch::Contains("full") && Catch::Contains("--force"));
  CHECK(fs::exists(dir / "full" / "notes.txt"));
  GenerateOptions forced = tiny_options(1);
  forced.force = true;
  generate_dataset(forced, dir / "full", nullptr);
  CHECK_FALSE(fs::exists(dir / "full" / "notes.txt"));
  CHECK(fs::exists(dir / "full" / "manifest.json"));
}

TEST_CASE("a policy list mixes policies by episode, every world getting each in turn", "[datasets][generate]") {
  GenerateOptions options = tiny_options(2);
  options.episodes = 4;
  options.policy = "explore,keys";
  const auto plan = plan_dataset(resolve_options(options));
  std::map<std::string, std::vector<std::string>> by_split;
  for (const auto& episode : plan) by_split[episode.split].push_back(episode.policy);
  // Two training worlds: episodes 0, 1 (worlds 11, 12) explore, then 2, 3 (worlds 11, 12) keys.
  CHECK(by_split.at("train") == std::vector<std::string>{"explore", "explore", "keys", "keys"});
  CHECK(plan[2].world_seed == plan[0].world_seed);

  const auto dir = scratch_dir("generate_mix");
  generate_dataset(options, dir / "a", nullptr);
  const Manifest manifest = read_manifest(dir / "a");
  for (size_t k = 0; k < 4; ++k) {
    const Episode episode = read_episode(dir / "a" / manifest.splits.at("train")[k]);
    INFO("train episode " << k);
    CHECK(episode.meta.policy == by_split.at("train")[k]);
    bool whole_keys = true;
    for (const auto& action : episode.actions)
      for (float v : action) whole_keys = whole_keys && (v == -1.0f || v == 0.0f || v == 1.0f);
    CHECK(whole_keys == (episode.meta.policy == "keys"));  // explore eases in: 0.2, 0.4, ...
  }
  generate_dataset(options, dir / "b", nullptr);
  CHECK(snapshot(dir / "a") == snapshot(dir / "b"));

  // One policy plans exactly as before: the same seeds, every episode that policy.
  options.policy = "explore";
  const auto single = plan_dataset(resolve_options(options));
  REQUIRE(single.size() == plan.size());
  for (size_t i = 0; i < plan.size(); ++i) {
    CHECK(single[i].episode_seed == plan[i].episode_seed);
    CHECK(single[i].policy == "explore");
  }
}

TEST_CASE("a bad policy list is one error naming --policy", "[datasets][generate]") {
  GenerateOptions options = tiny_options(1);
  options.policy = "explore,teleport";
  CHECK_THROWS_WITH(resolve_options(options), Catch::StartsWith("--policy") && Catch::Contains("'teleport'") &&
                                                  Catch::Contains("keys") && Catch::Contains("explore"));
  for (const std::string list : {"", "explore,", ",keys", "explore,,keys"}) {
    options.policy = list;
    INFO("'" << list << "'");
    CHECK_THROWS_WITH(resolve_options(options), Catch::StartsWith("--policy") && Catch::Contains("empty"));
  }
  options.policy = "keys,explore,keys";
  CHECK(policy_list(options) == std::vector<std::string>{"keys", "explore", "keys"});
}
