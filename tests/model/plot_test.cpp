// The eval plot's axes (round, evenly spaced y ticks; x ticks that end at the horizon) and the
// labelled comparison strip of `rollout --compare`.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/compare_strip.h"
#include "model/plot.h"
#include "model_test_util.h"
#include "nav/base/user_error.h"

using namespace dw::model;

TEST_CASE("y ticks are evenly spaced round values covering the data", "[model][plot]") {
  for (const auto& [low, high] : std::vector<std::pair<double, double>>{{16.3, 27.9}, {0.11, 0.83}, {-0.4, 2.2}, {20, 20}}) {
    INFO(low << " .. " << high);
    const auto ticks = axis_ticks(low, high);
    REQUIRE(ticks.size() >= 3);
    REQUIRE(ticks.size() <= 7);
    CHECK(ticks.front() <= low);
    CHECK(ticks.back() >= high);
    const double spacing = ticks[1] - ticks[0];
    for (size_t i = 1; i < ticks.size(); ++i) CHECK(ticks[i] - ticks[i - 1] == Approx(spacing));
    const double mantissa = spacing / std::pow(10.0, std::floor(std::log10(spacing)));
    CHECK((mantissa == Approx(1) || mantissa == Approx(2) || mantissa == Approx(2.5) || mantissa == Approx(5)));
    for (double tick : ticks) CHECK(std::fabs(tick / spacing - std::round(tick / spacing)) < 1e-6);
  }
}

TEST_CASE("x ticks start at step 1 and end at the horizon", "[model][plot]") {
  CHECK(step_ticks(1) == std::vector<int>{1});
  CHECK(step_ticks(16) == std::vector<int>{1, 2, 4, 6, 8, 10, 12, 14, 16});
  CHECK(step_ticks(64) == std::vector<int>{1, 10, 20, 30, 40, 50, 64});
  const auto ticks = step_ticks(37);
  CHECK(ticks.front() == 1);
  CHECK(ticks.back() == 37);
  for (size_t i = 1; i < ticks.size(); ++i) CHECK(ticks[i] > ticks[i - 1]);
}

TEST_CASE("the comparison strip names its rows and heads each column with its step", "[model][plot]") {
  std::vector<dw::Image> truth, prediction;
  for (int k = 0; k < 4; ++k) {
    truth.push_back(testing::moving_square(0, k, 32));
    prediction.push_back(testing::moving_square(1, k, 32));
  }
  const dw::Image plain = compare_strip(truth, prediction);
  const dw::Image labelled = labelled_compare_strip(truth, prediction, {2, 4, 6, 8});
  const int left = labelled.width - plain.width, top = labelled.height - plain.height;
  REQUIRE(left > 20);  // room for "truth", "dream", "error"
  REQUIRE(top > 8);    // room for the step numbers
  bool same = true;
  for (int y = 0; y < plain.height; ++y)
    for (int x = 0; x < plain.width; ++x)
      for (int c = 0; c < 3; ++c) same = same && plain.at(x, y)[c] == labelled.at(x + left, y + top)[c];
  CHECK(same);  // the frames themselves are untouched
  auto has_text = [&](int x0, int y0, int x1, int y1) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x)
        if (labelled.at(x, y)[0] > 200) return true;
    return false;
  };
  for (int r = 0; r < 3; ++r) CHECK(has_text(0, top + r * 32, left, top + (r + 1) * 32));  // row names
  for (int c = 0; c < 4; ++c) CHECK(has_text(left + c * 32, 0, left + (c + 1) * 32, top));  // step numbers
  CHECK_THROWS_AS(labelled_compare_strip(truth, prediction, {1, 2}), dw::UserError);
}
