// The packed cache: built once and reused, rebuilt when an episode or the manifest changes, and a
// damaged cache is rebuilt rather than trusted.
#include <catch2/catch.hpp>

#include "datasets/packed_split.h"
#include "nav/base/atomic_file.h"
#include "tests/datasets/test_episodes.h"

namespace fs = std::filesystem;
using namespace dw::data;
using dw::data::testing::encoded_episode;
using dw::data::testing::scratch_dir;
using dw::data::testing::write_encoded_dataset;

TEST_CASE("the packed cache holds the split's frames and actions in order", "[datasets][cache]") {
  const auto dir = scratch_dir("cache_contents");
  write_encoded_dataset(dir, {3, 4}, 1);
  const auto packed = PackedSplit::open(dir, "train");
  REQUIRE(packed->episodes().size() == 2);
  CHECK(packed->total_frames() == 7);
  CHECK(packed->episodes()[1].first_frame == 3);
  CHECK(packed->episodes()[1].first_action == 2);
  const Episode second = encoded_episode(1, 4);
  CHECK(std::equal(second.frames[2].pixels.begin(), second.frames[2].pixels.end(), packed->frame(3 + 2)));
  CHECK(packed->action(2 + 1)[2] == second.actions[1][2]);
  CHECK(fs::exists(PackedSplit::cache_dir(dir) / "train.frames"));
}

TEST_CASE("the packed cache is reused, and rebuilt after a change", "[datasets][cache]") {
  const auto dir = scratch_dir("cache_reuse");
  write_encoded_dataset(dir, {3, 4}, 1);
  CHECK(PackedSplit::open(dir, "train")->was_built());
  CHECK_FALSE(PackedSplit::open(dir, "train")->was_built());
  CHECK(PackedSplit::open(dir, "val")->was_built());  // one cache per split

  SECTION("an episode changes") {
    write_episode(encoded_episode(9, 5), dir / "train-1");
    const auto packed = PackedSplit::open(dir, "train");
    CHECK(packed->was_built());
    CHECK(packed->total_frames() == 8);
    CHECK(packed->frame(3)[0] == 9);
    CHECK_FALSE(PackedSplit::open(dir, "train")->was_built());
  }
  SECTION("a frame is replaced without touching episode.json") {
    dw::Image changed = dw::data::testing::encoded_frame(0, 1, 8);
    changed.pixels[5] ^= 0xFF;
    dw::save_png(changed, dir / "train-0" / "frames" / "000001.png");
    const auto packed = PackedSplit::open(dir, "train");
    CHECK(packed->was_built());
    CHECK(packed->frame(1)[5] == changed.pixels[5]);
  }
  SECTION("the manifest changes") {
    Manifest manifest = read_manifest(dir);
    manifest.splits["train"].pop_back();
    write_manifest(manifest, dir);
    const auto packed = PackedSplit::open(dir, "train");
    CHECK(packed->was_built());
    CHECK(packed->episodes().size() == 1);
  }
  SECTION("a damaged cache is rebuilt") {
    dw::write_file_atomically(PackedSplit::cache_dir(dir) / "train.frames", std::string("short"));
    CHECK(PackedSplit::open(dir, "train")->was_built());
    dw::write_file_atomically(PackedSplit::cache_dir(dir) / "train.json", std::string("{not json"));
    CHECK(PackedSplit::open(dir, "train")->total_frames() == 7);
  }
}

TEST_CASE("packing a bad episode reports it", "[datasets][cache]") {
  const auto dir = scratch_dir("cache_bad");
  write_encoded_dataset(dir, {3, 4}, 1);
  fs::remove(dir / "train-1" / "frames" / "000002.png");
  REQUIRE_THROWS_WITH(PackedSplit::open(dir, "train"), Catch::Contains("train-1/frames/000002.png"));
  CHECK_FALSE(fs::exists(PackedSplit::cache_dir(dir) / "train.json"));
}

TEST_CASE("a packed index whose rows overlap or overrun is rejected, never mapped", "[datasets][cache]") {
  const auto index = [](const std::string& episodes, int frames, int actions) {
    return "{\"cache_version\": 1, \"key\": \"k\", \"width\": 4, \"height\": 4, \"action_dim\": 3, \"frames\": " +
           std::to_string(frames) + ", \"actions\": " + std::to_string(actions) + ", \"episodes\": [" + episodes + "]}";
  };
  const PackedIndex good = parse_packed_index(index("[\"a\", 0, 3, 0], [\"b\", 3, 2, 2]", 5, 3), "i.json");
  CHECK(good.episodes.at(1).first_action == 2);
  // The second episode starts inside the first; the last one runs past the frames file.
  CHECK_THROWS_WITH(parse_packed_index(index("[\"a\", 0, 3, 0], [\"b\", 1, 2, 2]", 5, 3), "i.json"),
                    Catch::Contains("i.json") && Catch::Contains("episodes[1]"));
  CHECK_THROWS_WITH(parse_packed_index(index("[\"a\", 0, 9, 0]", 5, 8), "i.json"), Catch::Contains("episodes[0]"));
  CHECK_THROWS_WITH(parse_packed_index(index("[\"a\", 0, 3, 0]", 5, 2), "i.json"), Catch::Contains("add up"));
  CHECK_THROWS_WITH(parse_packed_index("{\"frames\": 1e400}", "i.json"), Catch::Contains("number overflow"));
}
