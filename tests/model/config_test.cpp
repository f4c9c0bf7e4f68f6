// YAML configs: the shipped presets load, and a bad key or value names the file and the key.
#include <catch2/catch.hpp>

#include "model/config.h"
#include "model_test_util.h"
#include "nav/user_error.h"

using namespace dw::model;

TEST_CASE("the shipped configs load", "[model][config]") {
  const Config small = load_config(std::string(DREAMWALK_SOURCE_DIR) + "/configs/small.yaml");
  CHECK(small.name == "small");
  CHECK(small.model.context == 4);
  CHECK(small.train.horizon >= 8);
  const Config large = load_config(std::string(DREAMWALK_SOURCE_DIR) + "/configs/large.yaml");
  CHECK(large.model.state_channels > small.model.state_channels);
}

TEST_CASE("bad configs name the file and the key", "[model][config]") {
  const auto dir = testing::scratch_dir("config");
  const auto expect_error = [&](const std::string& text, const std::string& key) {
    testing::write_text(dir / "c.yaml", text);
    try {
      load_config(dir / "c.yaml");
      FAIL("accepted: " << text);
    } catch (const dw::UserError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find((dir / "c.yaml").string()) != std::string::npos);
      CHECK(std::string(e.what()).find(key) != std::string::npos);
    }
  };
  expect_error("model:\n  widht: 64\n", "model.widht");
  expect_error("model:\n  width: sixty\n", "model.width");
  expect_error("model:\n  width: 62\n", "width");  // not a multiple of 4
  expect_error("train:\n  learning_rate: -1\n", "train.learning_rate");
  expect_error("model: [1, 2\n", "YAML");
  CHECK_THROWS_AS(load_config(dir / "missing.yaml"), dw::UserError);
}
