// Datasets: the manifest, split lookup, and validate_dataset on a good dataset and on every kind of
// bad input, each reported as one line naming the file and the problem.
#include <catch2/catch.hpp>

#include "datasets/dataset.h"
#include "datasets/json_file.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"
#include "tests/datasets/test_episodes.h"

namespace fs = std::filesystem;
using namespace dw::data;
using dw::data::testing::scratch_dir;
using dw::data::testing::write_encoded_dataset;

namespace {

// Replaces the first occurrence of `from` after `anchor` in `path` with `to`.
void edit_file(const fs::path& path, const std::string& anchor, const std::string& from, const std::string& to) {
  std::string text = dw::read_whole_file(path);
  const auto start = text.find(anchor);
  REQUIRE(start != std::string::npos);
  const auto at = text.find(from, start + anchor.size());
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  dw::write_file_atomically(path, text);
}

void replace_first_action_row(const fs::path& path, const std::string& row) {
  std::string text = dw::read_whole_file(path);
  const auto start = text.find('[', text.find('[', text.find("\"actions\"")) + 1);
  text.replace(start, text.find(']', start) + 1 - start, row);
  dw::write_file_atomically(path, text);
}

// validate_dataset must report exactly one problem containing every one of `needles`.
void require_one_problem(const fs::path& dir, const std::vector<std::string>& needles) {
  const auto problems = validate_dataset(dir);
  INFO((problems.empty() ? std::string("(no problems)") : problems.front()));
  REQUIRE(problems.size() == 1);
  for (const auto& needle : needles) CHECK_THAT(problems.front(), Catch::Contains(needle));
  CHECK(problems.front().find('\n') == std::string::npos);
}

}  // namespace

TEST_CASE("a good dataset validates and reports its counts", "[datasets][dataset]") {
  const auto dir = scratch_dir("dataset_good");
  write_encoded_dataset(dir, {5, 7, 9}, 2);
  CHECK(validate_dataset(dir).empty());
  const auto report = validate_dataset_report(dir, 2);
  CHECK(report.episodes == 5);
  CHECK(report.frames == 5 + 7 + 9 + 6 + 6);
  CHECK(report.split_episode_counts.at("train") == 3);
  CHECK(report.split_episode_counts.at("val") == 2);
  const Manifest manifest = read_manifest(dir);
  CHECK(manifest.width == 8);
  CHECK(manifest.schema.dimension() == 3);
  CHECK(split_episodes(manifest, "train", dir) == std::vector<std::string>{"train-0", "train-1", "train-2"});
}

TEST_CASE("validate names the file and the problem for each bad episode", "[datasets][dataset]") {
  const auto dir = scratch_dir("dataset_bad_episode");
  write_encoded_dataset(dir, {5, 6}, 1);
  const fs::path ep = dir / "train-1";
  const fs::path json = ep / "episode.json";

  SECTION("missing PNG") {
    fs::remove(ep / "frames" / "000002.png");
    require_one_problem(dir, {"train-1/frames/000002.png", "missing"});
  }
  SECTION("corrupt PNG") {
    dw::write_file_atomically(ep / "frames" / "000001.png", std::string("\x89PNG broken"));
    require_one_problem(dir, {"train-1/frames/000001.png", "not a readable image"});
  }
  SECTION("mixed sizes") {
    dw::save_png(dw::Image(6, 8), ep / "frames" / "000005.png");
    require_one_problem(dir, {"train-1/frames/000005.png", "6x8", "8x8"});
  }
  SECTION("action count mismatch") {
    edit_file(json, "\"actions\": [", "\n    [", "\n    [0, 0, 0],\n    [");
    require_one_problem(dir, {"train-1/episode.json", "6 actions", "6 frames"});
  }
  SECTION("NaN action") {
    replace_first_action_row(json, "[null, 0, 0]");
    require_one_problem(dir, {"train-1/episode.json", "actions[0][0]", "NaN"});
  }
  SECTION("out-of-range action") {
    replace_first_action_row(json, "[0, -3, 0]");
    require_one_problem(dir, {"train-1/episode.json", "actions[0][1]", "-3", "outside [-1, 1]"});
  }
  SECTION("malformed episode.json names the line") {
    edit_file(json, "\"frame_count\"", ",\n", ",,\n");  // the line after "meta" closes
    const auto problems = validate_dataset(dir);
    REQUIRE(problems.size() == 1);
    const std::string text = dw::read_whole_file(json);
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(text.find(",,")), '\n');
    CHECK_THAT(problems.front(), Catch::Contains("train-1/episode.json: line " + std::to_string(line)));
    CHECK_THAT(problems.front(), Catch::Contains("malformed JSON"));
  }
  SECTION("episode folder missing") {
    fs::remove_all(ep);
    require_one_problem(dir, {"train-1", "no such episode folder"});
  }
  SECTION("episode size differs from the manifest") {
    write_episode(dw::data::testing::encoded_episode(1, 6, 16), ep);
    require_one_problem(dir, {"train-1/episode.json", "16x16", "manifest.json says 8x8"});
  }
}

TEST_CASE("validate and read_manifest explain bad manifests", "[datasets][dataset]") {
  const auto dir = scratch_dir("dataset_bad_manifest");
  write_encoded_dataset(dir, {5}, 1);
  const fs::path manifest = dir / "manifest.json";

  SECTION("malformed manifest names the file and line") {
    dw::write_file_atomically(manifest, std::string("{\n  \"format_version\": 1,\n  \"width\": 8\n  \"height\": 8\n}\n"));
    require_one_problem(dir, {"manifest.json: line 4", "malformed JSON"});
    REQUIRE_THROWS_AS(read_manifest(dir), dw::UserError);
  }
  SECTION("a missing field is named") {
    dw::write_file_atomically(manifest, std::string("{\"format_version\": 1, \"width\": 8, \"height\": 8}"));
    require_one_problem(dir, {"manifest.json", "\"splits\" is missing"});
  }
  SECTION("unknown split in the manifest lists the known ones") {
    edit_file(manifest, "\"splits\"", "\"val\"", "\"validation\"");
    require_one_problem(dir, {"manifest.json", "unknown split \"validation\"", "train, val, test, test_unseen"});
  }
  SECTION("asking for an unknown or unlisted split") {
    const Manifest loaded = read_manifest(dir);
    REQUIRE_THROWS_WITH(split_episodes(loaded, "training", dir),
                        Catch::Contains("unknown split \"training\"") && Catch::Contains("test_unseen"));
    REQUIRE_THROWS_WITH(split_episodes(loaded, "test", dir),
                        Catch::Contains("manifest.json") && Catch::Contains("no split \"test\"") &&
                            Catch::Contains("train, val"));
  }
  SECTION("an episode listed twice") {
    edit_file(manifest, "\"val\"", "\"val-1\"", "\"train-0\"");
    require_one_problem(dir, {"manifest.json", "\"train-0\" is listed twice"});
  }
}

TEST_CASE("a folder that is not a dataset says so", "[datasets][dataset]") {
  const auto dir = scratch_dir("dataset_not_one");
  REQUIRE_THROWS_WITH(read_manifest(dir), Catch::Contains("dataset_not_one") && Catch::Contains("not a dataset") &&
                                              Catch::Contains("manifest.json"));
  require_one_problem(dir, {"not a dataset"});
  REQUIRE_THROWS_WITH(read_manifest(dir / "absent"), Catch::Contains("absent: no such folder"));
}

TEST_CASE("validate lists every problem of one episode, not only the first", "[datasets][dataset]") {
  const auto dir = scratch_dir("dataset_all_problems");
  write_encoded_dataset(dir, {6}, 1);
  const fs::path ep = dir / "train-0";
  replace_first_action_row(ep / "episode.json", "[0, -3, 0]");
  dw::save_png(dw::Image(4, 4), ep / "frames" / "000001.png");
  fs::remove(ep / "frames" / "000003.png");
  const auto problems = validate_dataset(dir);
  REQUIRE(problems.size() == 3);
  CHECK_THAT(problems[0], Catch::Contains("train-0/episode.json") && Catch::Contains("actions[0][1]"));
  CHECK_THAT(problems[1], Catch::Contains("train-0/frames/000001.png") && Catch::Contains("4x4"));
  CHECK_THAT(problems[2], Catch::Contains("train-0/frames/000003.png") && Catch::Contains("missing"));
  // A scale error puts every action out of range: ten lines, then a count, then the frames.
  const fs::path other = dir / "train-0";
  write_episode(dw::data::testing::encoded_episode(0, 14), other);
  auto doc = dw::data::json_file::parse(other / "episode.json");
  for (auto& row : doc["actions"]) row = {2, 2, 2};
  dw::write_file_atomically(other / "episode.json", dw::data::json_file::dump(doc));
  fs::remove(other / "frames" / "000005.png");
  const auto many = validate_dataset(dir);
  REQUIRE(many.size() == 12);
  CHECK_THAT(many[9], Catch::Contains("actions[3][0]"));  // three values a row
  CHECK_THAT(many[10], Catch::Contains("... and 29 more action problems"));
  CHECK_THAT(many[11], Catch::Contains("000005.png") && Catch::Contains("missing"));
}

TEST_CASE("an episode whose action names differ from the manifest's lists both", "[datasets][dataset]") {
  const auto dir = scratch_dir("dataset_schema_names");
  write_encoded_dataset(dir, {5}, 1);
  write_episode(dw::data::testing::encoded_episode(0, 5, 8, 2), dir / "train-0");  // names a0, a1
  require_one_problem(dir, {"train-0/episode.json", "[a0, a1]", "[forward, strafe, turn]", "in order"});
}

TEST_CASE("a dataset without val or test episodes gets a warning naming what it cannot do", "[datasets][dataset]") {
  Manifest manifest;
  manifest.splits["train"] = {"a"};
  const std::string both = held_out_warning(manifest, "data/one");
  CHECK_THAT(both, Catch::Contains("data/one") && Catch::Contains("no val episodes") &&
                       Catch::Contains("cannot validate") && Catch::Contains("no test episodes"));
  manifest.splits["test_unseen"] = {"b"};
  CHECK(held_out_warning(manifest, "d").find("test") == std::string::npos);
  manifest.splits["val"] = {"c"};
  CHECK(held_out_warning(manifest, "d").empty());
}
