// Helpers for the import tests: scratch folders, synthetic frame folders and CSV files, and a
// check that a failed import left nothing behind.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "datasets/import.h"
#include "nav/base/image.h"
#include "nav/base/user_error.h"
#include "tests/scratch.h"

namespace dw::data::testing {

inline std::filesystem::path import_scratch(const std::string& name) {
  return dw::test::fresh_scratch_dir("import", name);
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A frame whose pixels depend on (index, x, y), so any reordering or resampling shows.
inline Image pattern_frame(int index, int width, int height) {
  Image image(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = image.at(x, y);
      p[0] = static_cast<std::uint8_t>(index * 13 + x * 5);
      p[1] = static_cast<std::uint8_t>(index * 7 + y * 9);
      p[2] = static_cast<std::uint8_t>(x * y + index);
    }
  }
  return image;
}

// Writes `count` PNG frames 000.png, 001.png, ... into dir.
inline void write_frames(const std::filesystem::path& dir, int count, int width, int height) {
  std::filesystem::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "%03d.png", i);
    save_png(pattern_frame(i, width, height), dir / name);
  }
}

// Options for one frames folder and nothing else, all episodes in train.
inline ImportOptions frames_options(const std::filesystem::path& frames, const std::filesystem::path& out,
                                    int size) {
  ImportOptions options;
  options.sources = {{ImportSource::Kind::Frames, frames}};
  options.size = size;
  options.split = {1, 0, 0};
  options.out = out;
  return options;
}

// Runs the import expecting a UserError whose message contains every one of `parts`, and
// checks that neither the dataset nor its temporary sibling exists afterwards.
inline void require_import_error(const ImportOptions& options, const std::vector<std::string>& parts) {
  std::string message;
  try {
    import_dataset(options);
  } catch (const UserError& error) {
    message = error.what();
  }
  INFO("message: " << message);
  REQUIRE_FALSE(message.empty());
  for (const auto& part : parts) CHECK(message.find(part) != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(options.out));
  const auto sibling = options.out.parent_path() / ("." + options.out.filename().string() + ".importing");
  CHECK_FALSE(std::filesystem::exists(sibling));
}

}  // namespace dw::data::testing
