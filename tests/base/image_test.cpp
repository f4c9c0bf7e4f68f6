// Image helpers: PNG round trip, atomic writes, resizing and tiling.
#include <catch2/catch.hpp>

#include <filesystem>

#include "nav/base/atomic_file.h"
#include "nav/base/image.h"
#include "nav/base/user_error.h"

namespace fs = std::filesystem;

static fs::path scratch_dir(const std::string& name) {
  fs::path dir = fs::path(DREAMWALK_TEST_SCRATCH) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST_CASE("PNG round trip keeps every byte", "[nav][image]") {
  dw::Image image(7, 5);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<std::uint8_t>(i * 37);
  const auto dir = scratch_dir("png_round_trip");
  dw::save_png(image, dir / "a.png");
  const dw::Image back = dw::load_image(dir / "a.png");
  REQUIRE(back.width == 7);
  REQUIRE(back.height == 5);
  CHECK(back.pixels == image.pixels);
  CHECK_FALSE(fs::exists(dw::temporary_path_for(dir / "a.png")));
  dw::save_png(image, dir / "new" / "folder" / "b.png");  // as `eval --plot out/x.png` on a fresh checkout
  CHECK(dw::load_image(dir / "new" / "folder" / "b.png").pixels == image.pixels);
}

TEST_CASE("loading a missing or corrupt image names the file", "[nav][image]") {
  const auto dir = scratch_dir("png_bad");
  REQUIRE_THROWS_WITH(dw::load_image(dir / "missing.png"), Catch::Contains("missing.png"));
  dw::write_file_atomically(dir / "corrupt.png", std::string("not a png at all"));
  REQUIRE_THROWS_AS(dw::load_image(dir / "corrupt.png"), dw::UserError);
  REQUIRE_THROWS_WITH(dw::load_image(dir / "corrupt.png"), Catch::Contains("corrupt.png"));
  // A PNG cut short (an interrupted copy) says so, not stb's internal "outofdata".
  dw::Image image(32, 32);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<std::uint8_t>(i * 13);
  const auto bytes = dw::encode_png(image);
  dw::write_file_atomically(dir / "cut.png", bytes.data(), bytes.size() / 2);
  REQUIRE_THROWS_WITH(dw::load_image(dir / "cut.png"),
                      Catch::Contains("cut.png") && Catch::Contains("truncated or corrupt PNG"));
}

TEST_CASE("resize averages when shrinking and keeps flat colour", "[nav][image]") {
  dw::Image checker(4, 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) checker.at(x, y)[c] = ((x + y) % 2) ? 200 : 0;
  const dw::Image small = dw::resize_image(checker, 2, 2);
  REQUIRE(small.width == 2);
  for (auto value : small.pixels) CHECK(value == 100);
}

TEST_CASE("tile_images lays out a grid with gutters", "[nav][image]") {
  std::vector<dw::Image> tiles(3, dw::Image(4, 4));
  for (auto& value : tiles[2].pixels) value = 255;
  const dw::Image sheet = dw::tile_images(tiles, 2);
  CHECK(sheet.width == 2 * 5 + 1);
  CHECK(sheet.height == 2 * 5 + 1);
  CHECK(sheet.at(1, 6)[0] == 255);   // third tile starts the second row
  CHECK(sheet.at(0, 0)[0] == 24);    // gutter colour
}
