// MP4 output: a valid MP4 container appears atomically, and bad input names the file.
#include <catch2/catch.hpp>

#include <filesystem>

#include "datasets/video_writer.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace fs = std::filesystem;

TEST_CASE("write_mp4 produces an MP4 container", "[datasets][video]") {
  if (!dw::data::can_write_video()) {
    WARN("built without FFmpeg: MP4 output not available");
    CHECK_THROWS_AS(dw::data::write_mp4({dw::Image(8, 8)}, "x.mp4"), dw::UserError);
    return;
  }
  const fs::path dir = fs::path(DREAMWALK_TEST_SCRATCH) / "mp4";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<dw::Image> frames;
  for (int i = 0; i < 6; ++i) {
    dw::Image frame(33, 17);  // odd sizes must be padded, not rejected
    for (size_t p = 0; p < frame.pixels.size(); ++p) frame.pixels[p] = static_cast<std::uint8_t>(p + i * 40);
    frames.push_back(frame);
  }
  dw::data::write_mp4(frames, dir / "a.mp4", 10, 2);
  const std::string bytes = dw::read_whole_file(dir / "a.mp4");
  REQUIRE(bytes.size() > 100);
  CHECK(bytes.substr(4, 4) == "ftyp");
  CHECK(fs::directory_iterator(dir) != fs::directory_iterator());
  CHECK_FALSE(fs::exists(dir / ".a.mp4.mp4"));
}

TEST_CASE("write_mp4 rejects mixed sizes and leaves nothing behind", "[datasets][video]") {
  if (!dw::data::can_write_video()) return;
  const fs::path dir = fs::path(DREAMWALK_TEST_SCRATCH) / "mp4_bad";
  fs::remove_all(dir);
  fs::create_directories(dir);
  REQUIRE_THROWS_WITH(dw::data::write_mp4({dw::Image(8, 8), dw::Image(10, 8)}, dir / "m.mp4"),
                      Catch::Contains("m.mp4"));
  CHECK(fs::is_empty(dir));
}
