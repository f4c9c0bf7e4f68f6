// YAML configs: the shipped presets load, and a bad key or value names the file and the key.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "model/config.h"
#include "model/sequence.h"
#include "model_test_util.h"
#include "nav/base/user_error.h"

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
  // Found by fuzzing: a float where an integer belongs must not be cast (1e300 as an int is
  // undefined), a key that is a list is not a name, and aliases must not expand without bound.
  expect_error("model:\n  width: 1e300\n", "model.width");
  expect_error("model:\n  [width]: 64\n", "not a plain name");
  std::string aliases = "a: &a [x, x, x, x, x, x, x, x]\n";
  for (char name = 'b'; name <= 'h'; ++name)
    aliases += std::string(1, name) + ": &" + name + " [*" + char(name - 1) + ", *" + char(name - 1) + ", *" +
               char(name - 1) + ", *" + char(name - 1) + ", *" + char(name - 1) + ", *" + char(name - 1) + "]\n";
  expect_error(aliases, "too large");  // 8 * 6^7 = 2.2 million values from 300 bytes
  CHECK_THROWS_AS(load_config(dir / "missing.yaml"), dw::UserError);
}

TEST_CASE("decoder and dynamics types are typed, validated and written back", "[model][config]") {
  const auto dir = testing::scratch_dir("config_types");
  testing::write_text(dir / "a.yaml", "model:\n  decoder:\n    type: mean\n  dynamics:\n    type: rssm\n");
  CHECK(load_config(dir / "a.yaml").model.decoder.type == DecoderType::mean);
  // The key of earlier configs and checkpoints still reads.
  testing::write_text(dir / "old.yaml", "model:\n  previous_frame: warp\n");
  CHECK(load_config(dir / "old.yaml").model.decoder.type == DecoderType::warp);
  const auto expect_error = [&](const std::string& text, const std::string& needle) {
    testing::write_text(dir / "c.yaml", text);
    CHECK_THROWS_WITH(load_config(dir / "c.yaml"), Catch::Contains(needle) && Catch::Contains("c.yaml"));
  };
  expect_error("model:\n  decoder:\n    type: gan\n", "'model.decoder.type' must be one of mean, warp, denoise");
  expect_error("model:\n  decoder:\n    denoise_steps: 0\n", "model.decoder.denoise_steps must be in [1, 32]");
  expect_error("model:\n  decoder:\n    denoise_fraction: 0\n", "model.decoder.denoise_fraction must be in (0, 1]");
  expect_error("model:\n  decoder:\n    denoise_channels: [16, 32, 64]\n", "model.decoder.denoise_channels must list 2");
  expect_error("model:\n  decoder:\n    denoise_channels: [16, 0]\n", "model.decoder.denoise_channels");
  expect_error("model:\n  dynamics:\n    type: lstm\n", "rssm");
  expect_error("model:\n  decoder:\n    kind: mean\n", "model.decoder.kind");
  expect_error("model:\n  decoder: mean\n", "'model.decoder' must be a mapping");
  expect_error("model:\n  decoder:\n    resample: lanczos\n", "bilinear, bicubic");
  expect_error("model:\n  decoder:\n    gradient_weight: -1\n", "model.decoder.gradient_weight");
  expect_error("model:\n  decoder:\n    type: mean\n    anchor: true\n", "model.decoder.anchor needs a decoder that warps");
  expect_error("model:\n  decoder:\n    anchor: 2\n", "model.decoder.anchor");
  expect_error("model:\n  decoder:\n    type: mean\n    track_anchor: true\n",
               "model.decoder.track_anchor needs a decoder that warps");
  expect_error("model:\n  decoder:\n    type: warp\n    anchor: true\n    track_anchor: true\n", "choose one");
  expect_error("model:\n  decoder:\n    track_anchor: yes please\n", "model.decoder.track_anchor");
  expect_error("model:\n  previous_frame: warp\n  decoder:\n    type: warp\n", "not both");
  expect_error("model:\n  context: 4\ntrain:\n  min_context: 5\n", "train.min_context");
  expect_error("train:\n  horizon: 0\n", "train.horizon must be in [1, 256]");
  expect_error("train:\n  context_noise: 1.5\n", "train.context_noise must be in [0, 1]");
  // What is written is what is read.
  Config config = testing::tiny_config();
  config.model.decoder.type = DecoderType::denoise;
  config.model.decoder.denoise_steps = 5;
  config.model.decoder.anchor = true;
  config.train.min_context = 1;
  const nlohmann::json json = config;
  const Config back = config_from_json(json, "round trip");
  CHECK(back.model.decoder.type == DecoderType::denoise);
  CHECK(back.model.decoder.denoise_steps == 5);
  CHECK(back.model.decoder.anchor);
  CHECK_FALSE(back.model.decoder.track_anchor);
  CHECK(back.train.min_context == 1);
  config.model.decoder.anchor = false;
  config.model.decoder.track_anchor = true;
  CHECK(config_from_json(nlohmann::json(config), "round trip").model.decoder.track_anchor);
  CHECK(json["model"]["decoder"]["type"] == "denoise");
  CHECK_FALSE(json["model"].contains("previous_frame"));
}

TEST_CASE("random context lengths stay in min_context..context and are seeded", "[model][config]") {
  Config config = testing::tiny_config();
  config.model.context = 4;
  CHECK(observed_frames(config, 1, 7) == 4);  // off by default
  config.train.min_context = 1;
  std::set<int> seen;
  for (int step = 0; step < 200; ++step) {
    const int observed = observed_frames(config, 1, step);
    CHECK(observed == observed_frames(config, 1, step));
    seen.insert(observed);
  }
  CHECK(seen == std::set<int>{1, 2, 3, 4});
}
