// Dataset generation: a small generated dataset validates, has the planned splits (held-out world
// seeds in test_unseen), is byte-identical for any thread count, and refuses to overwrite.
#include <catch2/catch.hpp>

#include <map>

#include "datasets/contact_sheet.h"
#include "datasets/dataset.h"
#include "datasets/generate.h"
#include "nav/atomic_file.h"
#include "nav/user_error.h"
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
  CHECK_FALSE(fs::exists(dw::temporary_path_for(dir / "data")));

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
