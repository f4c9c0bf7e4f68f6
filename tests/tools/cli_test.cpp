// The real `dreamwalk` binary on bad input: one line on stderr naming the problem, exit code 2.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "../model/tiny_run.h"
#include "cli_run.h"

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
}
