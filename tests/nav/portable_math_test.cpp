// Portable trig: agrees with libm to ~1e-15 over the angles the world uses, and keeps quadrants.
#include <catch2/catch.hpp>

#include <cmath>

#include "nav/portable_math.h"

TEST_CASE("portable sin and cos match libm", "[nav][math]") {
  double worst = 0.0;
  for (int i = -20000; i <= 20000; ++i) {
    const double x = i * 0.00157;  // about -31..31 radians
    double s, c;
    dw::nav::portable_sin_cos(x, s, c);
    worst = std::max({worst, std::fabs(s - std::sin(x)), std::fabs(c - std::cos(x))});
  }
  CHECK(worst < 1e-14);
  CHECK(dw::nav::portable_sin(0.0f) == 0.0f);
  CHECK(dw::nav::portable_cos(0.0f) == 1.0f);
}

TEST_CASE("portable atan2 matches libm in every quadrant", "[nav][math]") {
  double worst = 0.0;
  for (int i = -60; i <= 60; ++i)
    for (int j = -60; j <= 60; ++j) {
      const double y = i * 0.37, x = j * 0.53;
      if (x == 0.0 && y == 0.0) continue;
      worst = std::max(worst, std::fabs(dw::nav::portable_atan2(y, x) - std::atan2(y, x)));
    }
  CHECK(worst < 1e-14);
  CHECK(dw::nav::portable_atan2(0.0, 0.0) == 0.0);
}
