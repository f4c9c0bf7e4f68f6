// GIF output: decodes back to the right number of frames and size, colours survive quantisation.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>

#include "datasets/gif_writer.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"
#include "tests/scratch.h"

namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name) { return dw::test::fresh_scratch_dir("media", name); }

dw::Image flat(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  dw::Image image(width, height);
  for (size_t i = 0; i < image.pixels.size(); i += 3) {
    image.pixels[i] = r;
    image.pixels[i + 1] = g;
    image.pixels[i + 2] = b;
  }
  return image;
}
}  // namespace

TEST_CASE("a GIF decodes back to the frames written", "[datasets][gif]") {
  const auto dir = fresh_dir("gif_round_trip");
  std::vector<dw::Image> frames = {flat(12, 10, 255, 0, 0), flat(12, 10, 0, 255, 0),
                                   flat(12, 10, 0, 0, 255)};
  dw::data::write_gif(frames, dir / "a.gif", 10, 2);
  const auto back = dw::data::read_gif(dir / "a.gif");
  REQUIRE(back.size() == 3);
  CHECK(back[0].width == 24);
  CHECK(back[0].height == 20);
  // Pure primaries sit exactly on the colour cube.
  CHECK(back[0].at(5, 5)[0] == 255);
  CHECK(back[1].at(5, 5)[1] == 255);
  CHECK(back[2].at(5, 5)[2] == 255);
  CHECK(back[2].at(5, 5)[0] == 0);
  CHECK(dw::temporaries_of(dir / "a.gif").empty());
}

TEST_CASE("a GIF gets the same permissions as every other file we write", "[datasets][gif]") {
  const auto dir = fresh_dir("gif_permissions");
  const mode_t saved = umask(022);
  dw::data::write_gif({flat(4, 4, 1, 2, 3)}, dir / "a.gif", 10, 1);
  dw::write_file_atomically(dir / "a.txt", std::string("x"));
  umask(saved);
  const auto perms = fs::status(dir / "a.gif").permissions();
  CHECK((perms & fs::perms::others_read) != fs::perms::none);  // giflib alone would make it 0600
  CHECK(perms == fs::status(dir / "a.txt").permissions());
}

TEST_CASE("mid greys stay close after dithering", "[datasets][gif]") {
  const auto dir = fresh_dir("gif_grey");
  dw::data::write_gif({flat(16, 16, 100, 100, 100)}, dir / "g.gif");
  const auto back = dw::data::read_gif(dir / "g.gif");
  REQUIRE(back.size() == 1);
  double sum = 0;
  for (auto value : back[0].pixels) sum += value;
  CHECK(sum / back[0].pixels.size() == Approx(100).margin(8));
}

TEST_CASE("GIF errors name the file", "[datasets][gif]") {
  const auto dir = fresh_dir("gif_bad");
  REQUIRE_THROWS_WITH(dw::data::write_gif({flat(4, 4, 0, 0, 0), flat(5, 4, 0, 0, 0)}, dir / "m.gif"),
                      Catch::Contains("m.gif"));
  CHECK_FALSE(fs::exists(dir / "m.gif"));
  dw::write_file_atomically(dir / "not.gif", std::string("hello"));
  REQUIRE_THROWS_AS(dw::data::read_gif(dir / "not.gif"), dw::UserError);
}
