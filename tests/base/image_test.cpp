// Image helpers: PNG round trip, atomic writes and whole-file reads, resizing and tiling.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "nav/base/atomic_file.h"
#include "nav/base/image.h"
#include "nav/base/image_decode.h"
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
  CHECK(dw::temporaries_of(dir / "a.png").empty());
  dw::save_png(image, dir / "new" / "folder" / "b.png");  // as `eval --plot out/x.png` on a fresh checkout
  CHECK(dw::load_image(dir / "new" / "folder" / "b.png").pixels == image.pixels);
}

TEST_CASE("read_whole_file returns every byte of a file, and names a missing one or a folder", "[nav][file]") {
  const auto dir = scratch_dir("read_whole_file");
  std::string bytes(100000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131) % 251);  // zeros included
  dw::write_file_atomically(dir / "data.bin", bytes);
  CHECK(dw::read_whole_file(dir / "data.bin") == bytes);
  dw::write_file_atomically(dir / "empty.bin", std::string());
  CHECK(dw::read_whole_file(dir / "empty.bin").empty());
  CHECK_THROWS_WITH(dw::read_whole_file(dir / "missing.bin"), Catch::Contains("missing.bin"));
  CHECK_THROWS_AS(dw::read_whole_file(dir), dw::UserError);  // a folder is not a file to read
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

// A PNG header for width x height RGB pixels, with one tiny IDAT: what a damaged or hostile file
// looks like before any pixel data is read. (CRCs are not checked by stb_image.)
static std::string png_header_claiming(std::uint32_t width, std::uint32_t height) {
  auto be32 = [](std::uint32_t v) {
    return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  };
  std::string png = "\x89PNG\r\n\x1a\n";
  png += be32(13) + "IHDR" + be32(width) + be32(height) + std::string("\x08\x02\x00\x00\x00", 5) + be32(0);
  png += be32(2) + "IDAT" + std::string("\x78\x9c", 2) + be32(0);
  return png;
}

TEST_CASE("image headers are checked against the file before decoding", "[nav][image]") {
  // 5000 x 5000 in 60 bytes: a deflate stream this short cannot hold 25 million pixels.
  REQUIRE_THROWS_WITH(dw::decode_image(png_header_claiming(5000, 5000), "big.png"),
                      Catch::Contains("big.png") && Catch::Contains("more than a file of"));
  REQUIRE_THROWS_WITH(dw::decode_image(png_header_claiming(9000, 9000), "huge.png"),
                      Catch::Contains("huge.png") && Catch::Contains("pixels Dreamwalk reads"));
  CHECK_THROWS_WITH(dw::decode_image(png_header_claiming(4, 4), "small.png"), Catch::Contains("truncated or corrupt PNG"));
}

TEST_CASE("only PNG and JPEG are decoded, and files stb_image 2.27 mishandles are refused first", "[nav][image]") {
  const std::string gif("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", 35);
  CHECK_THROWS_WITH(dw::decode_image(gif, "a.gif"), Catch::Contains("a.gif") && Catch::Contains("not a PNG or JPEG"));
  // The fuzzer's crasher: a DHT segment declaring 525 codes for a 256-entry table.
  const auto crasher = fs::path(DREAMWALK_SOURCE_DIR) / "tests/fuzz/corpus/image/crash-jpeg-dht-more-than-256-codes.jpg";
  CHECK_THROWS_WITH(dw::load_image(crasher), Catch::Contains("525 codes"));
  // The fuzzer's second JPEG: a scan with an AC table no DHT defined. stb_image would decode with
  // uninitialised tables (after other images, their leftovers) and assert; it is refused first.
  const auto undefined = fs::path(DREAMWALK_SOURCE_DIR) / "tests/fuzz/corpus/image/crash-jpeg-scan-uses-undefined-huffman-table.jpg";
  CHECK_THROWS_WITH(dw::load_image(undefined), Catch::Contains("AC Huffman table no DHT defined"));
  // And a 94-byte PNG whose IDAT claims 256 MB: stb_image would allocate that before reading it.
  const auto oom = fs::path(DREAMWALK_SOURCE_DIR) / "tests/fuzz/corpus/image/oom-png-chunk-length-256mb.png";
  CHECK_THROWS_WITH(dw::load_image(oom), Catch::Contains("a chunk runs past the end of the file"));
  const auto valid = fs::path(DREAMWALK_SOURCE_DIR) / "tests/fuzz/corpus/image/rgb_8x8.jpg";
  CHECK(dw::load_image(valid).width == 8);
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

TEST_CASE("resize by a whole factor is each block's mean, rounded", "[nav][image]") {
  dw::Image image(12, 12);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<std::uint8_t>((i * 37 + i / 7) % 256);
  const dw::Image small = dw::resize_image(image, 3, 3);  // 4x4 blocks
  REQUIRE(small.width == 3);
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 3; ++x) {
      for (int c = 0; c < 3; ++c) {
        int sum = 0;
        for (int dy = 0; dy < 4; ++dy)
          for (int dx = 0; dx < 4; ++dx) sum += image.at(4 * x + dx, 4 * y + dy)[c];
        CHECK(small.at(x, y)[c] == static_cast<int>(std::lround(sum / 16.0)));
      }
    }
  }
  // Not a whole factor on both sides: the general path, which still averages a flat colour exactly.
  dw::Image flat(12, 12);
  std::fill(flat.pixels.begin(), flat.pixels.end(), std::uint8_t{77});
  const dw::Image uneven = dw::resize_image(flat, 5, 3);
  REQUIRE(uneven.width == 5);
  for (auto value : uneven.pixels) CHECK(value == 77);
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
