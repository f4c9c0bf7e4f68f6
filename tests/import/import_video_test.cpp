// Video import: small videos written by the test through FFmpeg's libraries (FFV1 in MKV,
// lossless, and MPEG-4 part 2 in AVI) come back with the right frame count, size and pixels, and
// --fps and a time column align by the video's own timestamps.
#include <catch2/catch.hpp>

#include "datasets/dataset.h"
#include "datasets/episode.h"
#include "datasets/video_reader.h"
#include "import_test_util.h"
#include "test_video.h"

using namespace dw;
using namespace dw::data;
using namespace dw::data::testing;

namespace {

// 48x32, so the centre crop matters.
std::vector<Image> pattern_frames(int count) {
  std::vector<Image> frames;
  for (int i = 0; i < count; ++i) frames.push_back(pattern_frame(i, 48, 32));
  return frames;
}

std::vector<Image> grey_frames(int count) {
  std::vector<Image> frames;
  for (int i = 0; i < count; ++i) {
    Image frame(48, 32);
    std::fill(frame.pixels.begin(), frame.pixels.end(), static_cast<std::uint8_t>(20 + 15 * i));
    frames.push_back(frame);
  }
  return frames;
}

double mean_level(const Image& image) {
  double sum = 0;
  for (auto value : image.pixels) sum += value;
  return sum / static_cast<double>(image.pixels.size());
}

ImportOptions video_options(const std::filesystem::path& video, const std::filesystem::path& out, int size) {
  ImportOptions options;
  options.sources = {{ImportSource::Kind::Video, video}};
  options.size = size;
  options.split = {1, 0, 0};
  options.out = out;
  return options;
}

Episode only_episode(const std::filesystem::path& dataset) {
  return read_episode(dataset / read_manifest(dataset).splits.at("train").at(0));
}

}  // namespace

TEST_CASE("a lossless MKV imports to the right frames, cropped and resized", "[import][video]") {
  const auto dir = import_scratch("video_ffv1");
  if (!can_read_video() || !write_test_video(pattern_frames(12), dir / "clip.mkv", 10, "ffv1")) {
    WARN("no FFmpeg or no FFV1 encoder: skipped");
    return;
  }
  const auto summary = import_dataset(video_options(dir / "clip.mkv", dir / "out", 16));
  CHECK(summary.episodes == 1);
  CHECK(summary.frames == 12);
  CHECK(validate_dataset(dir / "out").empty());
  const auto manifest = read_manifest(dir / "out");
  CHECK(manifest.width == 16);
  CHECK(manifest.height == 16);
  CHECK(manifest.schema.dimension() == 0);
  const Episode episode = only_episode(dir / "out");
  REQUIRE(episode.frames.size() == 12);
  for (int i = 0; i < 12; ++i) {
    const Image expected = prepare_frame(pattern_frame(i, 48, 32), FramePrep{16, true});
    CHECK(episode.frames[static_cast<size_t>(i)].pixels == expected.pixels);
  }
}

TEST_CASE("an MPEG-4 AVI imports to the right count and size, and --fps halves it by time", "[import][video]") {
  const auto dir = import_scratch("video_mpeg4");
  if (!can_read_video() || !write_test_video(grey_frames(12), dir / "clip.avi", 10, "mpeg4")) {
    WARN("no FFmpeg or no MPEG-4 encoder: skipped");
    return;
  }
  const auto summary = import_dataset(video_options(dir / "clip.avi", dir / "out", 8));
  CHECK(summary.frames == 12);
  const Episode episode = only_episode(dir / "out");
  REQUIRE(episode.frames.size() == 12);
  for (size_t i = 0; i < episode.frames.size(); ++i) {
    CHECK(episode.frames[i].width == 8);
    CHECK(episode.frames[i].height == 8);
    CHECK(mean_level(episode.frames[i]) == Approx(20 + 15 * i).margin(6));
  }

  auto options = video_options(dir / "clip.avi", dir / "out5", 8);
  options.fps = 5;
  const auto halved = import_dataset(options);
  CHECK(halved.frames == 6);
  CHECK(halved.dropped.at("resampled away by --fps") == 6);
  CHECK(mean_level(only_episode(dir / "out5").frames[1]) == Approx(20 + 15 * 2).margin(6));
}

TEST_CASE("a video with an actions CSV aligned by its time column", "[import][video]") {
  const auto dir = import_scratch("video_actions");
  if (!can_read_video() || !write_test_video(grey_frames(10), dir / "clip.mkv", 10, "ffv1")) return;
  std::string csv = "time,steer,unused\n";
  for (int i = 0; i < 9; ++i) csv += std::to_string(0.1 * i) + "," + std::to_string(i % 3 - 1) + ",5\n";
  write_text(dir / "actions.csv", csv);
  auto options = video_options(dir / "clip.mkv", dir / "out", 8);
  options.actions_csvs = {dir / "actions.csv"};
  options.action_columns = {"steer=turn"};
  const auto summary = import_dataset(options);
  CHECK(summary.frames == 10);
  REQUIRE(summary.columns.size() == 1);
  CHECK(summary.columns[0].name == "turn");
  CHECK(summary.columns[0].scale == 1.0f);
  const Episode episode = only_episode(dir / "out");
  CHECK(episode.meta.schema.names == std::vector<std::string>{"turn"});
  REQUIRE(episode.actions.size() == 9);
  for (size_t t = 0; t < 9; ++t) CHECK(episode.actions[t][0] == static_cast<float>(static_cast<int>(t) % 3 - 1));
}
