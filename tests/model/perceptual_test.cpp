// The optional perceptual metric: files that are missing or not TorchScript are clear errors.
#include <catch2/catch.hpp>

#include "model/perceptual.h"
#include "model_test_util.h"
#include "nav/user_error.h"

TEST_CASE("the perceptual metric rejects a missing file and one that is not TorchScript", "[model][eval]") {
  const auto dir = dw::model::testing::scratch_dir("perceptual");
  REQUIRE_THROWS_WITH(dw::model::PerceptualMetric::load(dir / "missing.pt"),
                      Catch::Contains("missing.pt") && Catch::Contains("not found"));
  dw::model::testing::write_text(dir / "junk.pt", "this is not a zip archive");
  REQUIRE_THROWS_WITH(dw::model::PerceptualMetric::load(dir / "junk.pt"),
                      Catch::Contains("junk.pt") && Catch::Contains("TorchScript"));
}
