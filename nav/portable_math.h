// sin/cos/atan2 from plain double arithmetic (+, -, *, /, floor), so the world's poses and frames
// do not depend on which libm a machine has: libm trig is only "within an ulp or so" and differs
// between versions and CPU code paths. Accurate to ~1e-16, far below the float results we keep.
// (nav is compiled with -ffp-contract=off, so no fused multiply-add changes the rounding.)
#pragma once

#include <cmath>

namespace dw::nav {

namespace portable_math_detail {
constexpr double kHalfPiHi = 1.57079632673412561417;   // pi/2 split in three parts (Cody-Waite)
constexpr double kHalfPiMid = 6.07710050630396597660e-11;
constexpr double kHalfPiLo = 2.02226624879595063154e-21;
constexpr double kTwoOverPi = 0.63661977236758134308;

// Taylor series on |r| <= pi/4, where the first omitted term is below 1e-19.
inline double sin_series(double r) {
  const double r2 = r * r;
  double term = r, sum = r;
  for (int n = 1; n <= 9; ++n) {
    term *= -r2 / ((2.0 * n) * (2.0 * n + 1.0));
    sum += term;
  }
  return sum;
}
inline double cos_series(double r) {
  const double r2 = r * r;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n <= 9; ++n) {
    term *= -r2 / ((2.0 * n - 1.0) * (2.0 * n));
    sum += term;
  }
  return sum;
}
// atan on |t| <= tan(pi/8): the series converges geometrically (ratio <= 0.172).
inline double atan_series(double t) {
  const double t2 = t * t;
  double power = t, sum = t;
  for (int n = 1; n <= 22; ++n) {
    power *= -t2;
    sum += power / (2.0 * n + 1.0);
  }
  return sum;
}
}  // namespace portable_math_detail

// For the angles the world uses (|x| up to a few thousand radians).
inline void portable_sin_cos(double x, double& sin_x, double& cos_x) {
  using namespace portable_math_detail;
  const double k = std::floor(x * kTwoOverPi + 0.5);
  const double r = ((x - k * kHalfPiHi) - k * kHalfPiMid) - k * kHalfPiLo;
  const double s = sin_series(r), c = cos_series(r);
  const long quadrant = static_cast<long>(k) & 3;
  switch (quadrant) {
    case 0: sin_x = s; cos_x = c; break;
    case 1: sin_x = c; cos_x = -s; break;
    case 2: sin_x = -s; cos_x = -c; break;
    default: sin_x = -c; cos_x = s; break;
  }
}

inline float portable_sin(float x) {
  double s, c;
  portable_sin_cos(x, s, c);
  return static_cast<float>(s);
}
inline float portable_cos(float x) {
  double s, c;
  portable_sin_cos(x, s, c);
  return static_cast<float>(c);
}

// atan2 with the usual quadrant conventions; atan2(0, 0) = 0.
inline double portable_atan2(double y, double x) {
  using namespace portable_math_detail;
  constexpr double kPi = 3.14159265358979323846, kTanPiOver8 = 0.41421356237309504880;
  const double ax = std::fabs(x), ay = std::fabs(y);
  if (ax == 0.0 && ay == 0.0) return 0.0;
  const bool swapped = ay > ax;
  const double a = swapped ? ax / ay : ay / ax;  // in [0, 1]
  double angle = a > kTanPiOver8 ? kPi / 4 + atan_series((a - 1.0) / (a + 1.0)) : atan_series(a);
  if (swapped) angle = kPi / 2 - angle;
  if (x < 0) angle = kPi - angle;
  return y < 0 ? -angle : angle;
}

}  // namespace dw::nav
