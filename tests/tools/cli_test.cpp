// The real `dreamwalk` binary on bad input: one line on stderr naming the problem, exit code 2.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "../model/tiny_run.h"
#include "cli_run.h"
#include "datasets/dataset.h"
#include "model/simulator.h"
#include "model/view_map.h"

using dw::testing::check_one_line_error;
using dw::testing::run_dreamwalk;

TEST_CASE("an unknown command is named", "[cli]") {
  check_one_line_error(run_dreamwalk("frobnicate"), "unknown command 'frobnicate'");
}

TEST_CASE("eval: a horizon longer than every episode, --samples 0, a horizon above 256", "[cli]") {
  const auto& tiny = dw::model::testing::tiny_run();
  const std::string base = "eval --checkpoint " + tiny.run.string() + " --data " + tiny.data.string() + " --context 2";
  check_one_line_error(run_dreamwalk(base + " --horizon 40"), "no episode with 42 frames");
  check_one_line_error(run_dreamwalk(base + " --samples 0"), "--samples");
  check_one_line_error(run_dreamwalk(base + " --horizon 300"), "at most 256");
  check_one_line_error(run_dreamwalk("eval --checkpoint " + tiny.run.string() + " --protocol spin"), "spin");
  check_one_line_error(run_dreamwalk("eval --checkpoint " + tiny.run.string() + " --protocol turn --walks 0"), "--walks");
}

TEST_CASE("map-views: --data and --world-seed, neither, walk flags without --world-seed, a model the world cannot render for",
          "[cli]") {
  const auto& tiny = dw::model::testing::tiny_run();
  const std::string base = "map-views --checkpoint " + tiny.run.string();
  check_one_line_error(run_dreamwalk(base + " --data " + tiny.data.string() + " --world-seed 1"), "--world-seed");
  check_one_line_error(run_dreamwalk(base), "one of --data DIR or --world-seed S");
  // The tiny model sees 16x16 frames; the world renders walks of 32..512 pixels.
  check_one_line_error(run_dreamwalk(base + " --world-seed 1 --episodes 2 --steps 5"), "16x16");
  check_one_line_error(run_dreamwalk(base + " --world-seed 1 --episodes 0"), "--episodes");
  check_one_line_error(run_dreamwalk(base + " --data " + tiny.data.string() + " --episodes 5"), "--world-seed");
  check_one_line_error(run_dreamwalk(base + " --data " + tiny.data.string() + " --worlds 3"), "--world-seed");
}

TEST_CASE("map-views --add: a map of more worlds in two parts; no map to add to, or a world it has, is refused",
          "[cli]") {
  namespace fs = std::filesystem;
  const fs::path dir = dw::model::testing::scratch_dir("map_views_add");
  fs::copy(dw::model::testing::tiny_run().run, dir / "run", fs::copy_options::recursive);
  // Two datasets of one walk each that record poses, in worlds 7 and 8.
  const auto walk_in = [&](std::uint64_t world) {
    const fs::path data = dir / ("world" + std::to_string(world));
    dw::data::Episode episode = dw::model::testing::tiny_episode(0, 6, 3);
    episode.meta.world_seed = world;
    for (int t = 0; t < 6; ++t) episode.poses.push_back({0.12f * static_cast<float>(t), 0.5f, 0.0f});
    dw::data::write_episode(episode, data / "train-0");
    dw::data::Manifest manifest;
    manifest.width = 16;
    manifest.height = 16;
    manifest.schema = episode.meta.schema;
    manifest.splits["train"] = {"train-0"};
    dw::data::write_manifest(manifest, data);
    return data.string();
  };
  const std::string seven = walk_in(7), eight = walk_in(8);
  const std::string base = "map-views --checkpoint " + (dir / "run").string();
  check_one_line_error(run_dreamwalk(base + " --add --data " + seven), "has no view map");
  REQUIRE(run_dreamwalk(base + " --data " + seven).exit_code == 0);
  REQUIRE(run_dreamwalk(base + " --add --data " + eight).exit_code == 0);
  const fs::path file = dir / "run" / dw::model::kViewMapFile;
  const dw::model::ViewMap map = dw::model::ViewMap::load(file);
  REQUIRE(map.size() == 12);
  CHECK(map.view(0).world == 7);
  CHECK(map.view(11).world == 8);
  const std::string before = dw::model::testing::read_bytes(file);
  // Generated walks name their worlds up front: refused before any is walked, in one line.
  check_one_line_error(run_dreamwalk(base + " --add --world-seed 6 --worlds 2 --episodes 2 --steps 5"),
                       "world seed 7 is already in the map");
  // Its progress line first (the dataset's worlds are known once it is read), then the error.
  const auto clash = run_dreamwalk(base + " --add --data " + eight);
  INFO(clash.err);
  CHECK(clash.exit_code == 2);
  CHECK(clash.err.find("\ndreamwalk: " + file.string() + ": view map: world seed 8 is already in the map\n") !=
        std::string::npos);
  CHECK(dw::model::testing::read_bytes(file) == before);  // the map as it was
}
