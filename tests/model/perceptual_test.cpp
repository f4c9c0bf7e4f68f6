// The optional perceptual metric: files that are missing or not TorchScript are clear errors.
#include <catch2/catch.hpp>
#include <torch/script.h>

#include <algorithm>

#include "model/perceptual.h"
#include "model_test_util.h"
#include "nav/base/user_error.h"

TEST_CASE("the perceptual metric rejects a missing file and one that is not TorchScript", "[model][eval]") {
  const auto dir = dw::model::testing::scratch_dir("perceptual");
  REQUIRE_THROWS_WITH(dw::model::PerceptualMetric::load(dir / "missing.pt"),
                      Catch::Contains("missing.pt") && Catch::Contains("not found"));
  dw::model::testing::write_text(dir / "junk.pt", "this is not a zip archive");
  REQUIRE_THROWS_WITH(dw::model::PerceptualMetric::load(dir / "junk.pt"),
                      Catch::Contains("junk.pt") && Catch::Contains("TorchScript"));
}

TEST_CASE("a TorchScript perceptual module is loaded and scores frame pairs", "[model][eval]") {
  const auto dir = dw::model::testing::scratch_dir("perceptual_module");
  // A stand-in for an exported LPIPS: mean squared difference of the [-1, 1] inputs.
  torch::jit::Module module("Distance");
  module.define("def forward(self, a, b):\n  return ((a - b) ** 2).mean([1, 2, 3])\n");
  module.save((dir / "distance.pt").string());
  auto metric = dw::model::PerceptualMetric::load(dir / "distance.pt");
  dw::Image black(8, 8), white(8, 8);
  std::fill(white.pixels.begin(), white.pixels.end(), std::uint8_t{255});
  CHECK(metric->distance(black, black) == Approx(0.0));
  CHECK(metric->distance(black, white) == Approx(4.0));  // (-1 - 1)^2
}
