// The pixel-free parts of import: the derived-scale rule, seeded splits, odometry signs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "datasets/import_layout.h"

using namespace dw::data;

TEST_CASE("a derived scale is the 95th percentile of |value|, with fallbacks for idle columns", "[import]") {
  std::vector<double> values;
  for (int i = 1; i <= 100; ++i) values.push_back(i % 2 ? -i : i);  // |v| = 1..100
  CHECK(derived_scale(values) == 95.0f);
  std::vector<double> mostly_idle(100, 0.0);
  mostly_idle[7] = -0.5;
  CHECK(derived_scale(mostly_idle) == 0.5f);
  CHECK(derived_scale(std::vector<double>(10, 0.0)) == 1.0f);
  CHECK(scale_action({190, -10, -400}, {95, 95, 95}) == std::vector<float>{1.0f, -10.0f / 95, -1.0f});
}

TEST_CASE("splits follow the ratios, depend only on the seed, and keep train non-empty", "[import]") {
  const auto a = assign_splits(10, {0.8, 0.1, 0.1}, 7);
  CHECK(a == assign_splits(10, {0.8, 0.1, 0.1}, 7));
  CHECK(std::count(a.begin(), a.end(), "train") == 8);
  CHECK(std::count(a.begin(), a.end(), "val") == 1);
  CHECK(std::count(a.begin(), a.end(), "test") == 1);
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 20; ++seed) differs |= assign_splits(10, {0.8, 0.1, 0.1}, seed) != a;
  CHECK(differs);
  const auto two = assign_splits(2, {0.2, 0.4, 0.4}, 1);
  CHECK(std::count(two.begin(), two.end(), "train") == 1);
  CHECK_THROWS_WITH(assign_splits(3, {0.8, 0.2}, 1), Catch::Contains("--split"));
}

TEST_CASE("odometry steps: forward along the heading, right strafe positive, left turn positive", "[import]") {
  const double half_pi = std::acos(0.0);
  // Facing +y (yaw pi/2); moving to +x is to the agent's right.
  auto step = odometry_step({0, 0, half_pi}, {0.3, 0, half_pi});
  CHECK(step[0] == Approx(0).margin(1e-12));
  CHECK(step[1] == Approx(0.3));
  CHECK(step[2] == Approx(0).margin(1e-12));
  step = odometry_step({1, 1, 3.1}, {1 + 0.2 * std::cos(3.1), 1 + 0.2 * std::sin(3.1), -3.1});
  CHECK(step[2] == Approx(2 * M_PI - 6.2));  // crossing +-pi is a small left turn
  CHECK(step[0] > 0.19);
}

TEST_CASE("chopping leaves gaps where no CSV row covers and never shares frames", "[import]") {
  Alignment alignment;
  for (int i = 0; i < 12; ++i) alignment.frames.push_back(i);
  alignment.valid = {1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1};  // 11 transitions
  alignment.actions.assign(11, {});
  DropCounts dropped;
  const auto spans = chop_episodes(alignment, 0, 3, 3, "uncovered", dropped);
  REQUIRE(spans.size() == 3);  // frames 0-2, 5-7, 8-10; 3 was the end of the first run
  CHECK(spans[0].first == 0);
  CHECK(spans[0].count == 3);
  CHECK(spans[1].first == 5);
  CHECK(spans[2].first == 8);
  CHECK(dropped["in a piece shorter than --min-length"] == 2);  // 3 (run 0-3 remainder) and 11
  CHECK(dropped["uncovered"] == 1);                              // frame 4
}
