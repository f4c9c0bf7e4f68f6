// End-to-end imports from frame folders: a dataset's own frames and actions come back unchanged,
// odometry along a circle gives constant actions, and timing, chopping and splits behave.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "datasets/dataset.h"
#include "datasets/episode.h"
#include "import_test_util.h"

using namespace dw;
using namespace dw::data;
using namespace dw::data::testing;

namespace {

Episode synthetic_episode(int frames, int size) {
  Episode episode;
  episode.meta.source = "test";
  episode.meta.width = episode.meta.height = size;
  episode.meta.schema.names = {"throttle", "steer"};
  episode.meta.schema.limits = {1.0f, 1.0f};
  for (int f = 0; f < frames; ++f) episode.frames.push_back(pattern_frame(f, size, size));
  for (int t = 0; t + 1 < frames; ++t) {
    episode.actions.push_back({static_cast<float>(t % 7) / 7.0f - 0.4f, -0.013f * static_cast<float>(t)});
  }
  return episode;
}

std::string actions_csv(const Episode& episode) {
  std::string text = "throttle,steer\n";
  for (const auto& row : episode.actions) {
    char line[96];
    std::snprintf(line, sizeof(line), "%.17g, %.17g\n", static_cast<double>(row[0]),
                  static_cast<double>(row[1]));
    text += line;
  }
  return text;
}

}  // namespace

TEST_CASE("importing a dataset's own frames and actions gives them back byte for byte", "[import]") {
  const auto dir = import_scratch("roundtrip");
  const Episode original = synthetic_episode(9, 16);
  write_episode(original, dir / "episode");
  write_text(dir / "actions.csv", actions_csv(original));

  auto options = frames_options(dir / "episode" / "frames", dir / "out", 16);
  options.actions_csvs = {dir / "actions.csv"};
  options.action_scales = {{"throttle", 1.0f}, {"steer", 1.0f}};
  const auto summary = import_dataset(options);

  CHECK(summary.episodes == 1);
  CHECK(summary.frames == 9);
  CHECK(summary.dropped.empty());
  CHECK(validate_dataset(dir / "out").empty());
  const auto manifest = read_manifest(dir / "out");
  REQUIRE(manifest.splits.at("train").size() == 1);
  const Episode imported = read_episode(dir / "out" / manifest.splits.at("train")[0]);
  REQUIRE(imported.frames.size() == original.frames.size());
  for (size_t i = 0; i < original.frames.size(); ++i) {
    CHECK(imported.frames[i].pixels == original.frames[i].pixels);
  }
  CHECK(imported.actions == original.actions);
  CHECK(imported.meta.schema.names == original.meta.schema.names);
  CHECK(imported.meta.schema.limits == std::vector<float>{1.0f, 1.0f});
}

TEST_CASE("odometry along a circle at constant speed gives constant forward and turn, no strafe",
          "[import]") {
  const auto dir = import_scratch("circle");
  const int frames = 40;
  write_frames(dir / "frames", frames, 12, 12);
  // Radius 2, 0.1 rad per frame counter-clockwise: heading = angle + pi/2, crossing +-pi.
  std::string csv = "time,x,y,yaw\n";
  for (int i = 0; i < frames; ++i) {
    const double angle = 0.1 * i;
    const double yaw = std::remainder(angle + M_PI / 2, 2 * M_PI);
    csv += std::to_string(i * 0.1) + "," + std::to_string(2 * std::cos(angle)) + "," +
           std::to_string(2 * std::sin(angle)) + "," + std::to_string(yaw) + "\n";
  }
  write_text(dir / "poses.csv", csv);
  auto options = frames_options(dir / "frames", dir / "out", 12);
  options.frames_fps = 10;
  options.poses_csvs = {dir / "poses.csv"};
  const auto summary = import_dataset(options);
  REQUIRE(summary.columns.size() == 3);
  const double chord = 2 * 2 * std::sin(0.05);
  CHECK(summary.columns[0].min == Approx(chord).epsilon(1e-4));
  CHECK(summary.columns[0].max == Approx(chord).epsilon(1e-4));
  CHECK(std::fabs(summary.columns[1].min) < 1e-4);
  CHECK(std::fabs(summary.columns[1].max) < 1e-4);
  CHECK(summary.columns[2].min == Approx(0.1).epsilon(1e-4));
  CHECK(summary.columns[2].max == Approx(0.1).epsilon(1e-4));

  const Episode episode = read_episode(dir / "out" / read_manifest(dir / "out").splits.at("train")[0]);
  CHECK(episode.meta.schema.names == std::vector<std::string>{"forward", "strafe", "turn"});
  REQUIRE(episode.actions.size() == frames - 1);
  REQUIRE(episode.poses.size() == frames);
  for (const auto& action : episode.actions) {
    CHECK(action[0] == Approx(1.0f).margin(1e-3));  // the derived scale is the constant itself
    CHECK(action[1] == Approx(0.0f).margin(1e-3));
    CHECK(action[2] == Approx(1.0f).margin(1e-3));
  }
}

TEST_CASE("a time column aligns actions and --fps averages the rows a transition spans", "[import]") {
  const auto dir = import_scratch("fps");
  write_frames(dir / "frames", 9, 8, 8);  // 0.0 .. 0.8 s at 10 fps
  std::string csv = "time,speed\n";
  for (int i = 0; i < 8; ++i) csv += std::to_string(0.1 * i) + "," + std::to_string(i) + "\n";
  write_text(dir / "actions.csv", csv);
  auto options = frames_options(dir / "frames", dir / "out", 8);
  options.frames_fps = 10;
  options.fps = 5;  // keeps frames 0, 2, 4, 6, 8
  options.actions_csvs = {dir / "actions.csv"};
  options.action_scales = {{"speed", 10.0f}};
  const auto summary = import_dataset(options);
  CHECK(summary.frames == 5);
  CHECK(summary.dropped.at("resampled away by --fps") == 4);
  const Episode episode = read_episode(dir / "out" / read_manifest(dir / "out").splits.at("train")[0]);
  REQUIRE(episode.actions.size() == 4);
  for (size_t t = 0; t < 4; ++t) CHECK(episode.actions[t][0] == Approx((4.0 * t + 1) / 20.0));
  CHECK(episode.frames[1].pixels == pattern_frame(2, 8, 8).pixels);
}

TEST_CASE("plain frames chop into episodes that share no frames and split by episode", "[import]") {
  const auto dir = import_scratch("chop");
  write_frames(dir / "frames", 23, 8, 8);
  auto options = frames_options(dir / "frames", dir / "out", 8);
  options.episode_length = 5;
  options.min_length = 4;
  options.split = {0.5, 0.25, 0.25};
  options.seed = 3;
  const auto summary = import_dataset(options);
  CHECK(summary.episodes == 4);  // 5+5+5+5, the last 3 frames are too short
  CHECK(summary.dropped.at("in a piece shorter than --min-length") == 3);
  CHECK(summary.columns.empty());
  CHECK(validate_dataset(dir / "out").empty());
  const auto manifest = read_manifest(dir / "out");
  CHECK(manifest.schema.dimension() == 0);
  CHECK(manifest.splits.at("train").size() == 2);
  CHECK(manifest.splits.at("val").size() == 1);
  CHECK(manifest.splits.at("test").size() == 1);
  std::set<std::vector<std::uint8_t>> seen;
  for (const auto& split : split_names()) {
    for (const auto& name : manifest.splits.at(split)) {
      for (const auto& frame : read_episode(dir / "out" / name).frames) {
        CHECK(seen.insert(frame.pixels).second);  // no frame appears twice anywhere
      }
    }
  }
  CHECK(seen.size() == 20);
}

TEST_CASE("split by recording keeps each recording in one split; --unseen fills test_unseen", "[import]") {
  const auto dir = import_scratch("recordings");
  ImportOptions options;
  for (int r = 0; r < 4; ++r) {
    const auto frames = dir / ("rec" + std::to_string(r));
    write_frames(frames, 12, 8, 8);
    options.sources.push_back({ImportSource::Kind::Frames, frames});
  }
  options.size = 8;
  options.episode_length = 4;
  options.split = {0.5, 0.5, 0};
  options.split_by = "recording";
  options.unseen = {3};
  options.out = dir / "out";
  const auto summary = import_dataset(options);
  CHECK(summary.episodes == 12);
  CHECK(summary.split_episodes.at("test_unseen") == 3);
  CHECK(summary.split_episodes.at("train") % 3 == 0);
  CHECK(summary.split_episodes.at("val") % 3 == 0);
  CHECK(validate_dataset(dir / "out").empty());
}
