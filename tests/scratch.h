// Scratch space for tests, under the build tree's tests/scratch/AREA/. CTest runs the test cases
// of one executable in parallel processes: areas whose cases share names or fixtures go per
// process (a folder named after the pid), so a sibling process never wipes them.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace dw::test {

enum class Scratch { shared, per_process };

inline std::filesystem::path scratch_area(const std::string& area, Scratch kind) {
  std::filesystem::path dir = std::filesystem::path(DREAMWALK_TEST_SCRATCH) / area;
  if (kind == Scratch::per_process) dir /= std::to_string(getpid());
  return dir;
}

// An empty folder AREA/NAME (emptied if it was there).
inline std::filesystem::path fresh_scratch_dir(const std::string& area, const std::string& name,
                                               Scratch kind = Scratch::shared) {
  const std::filesystem::path dir = scratch_area(area, kind) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The path AREA/NAME for a test to write, its folder made.
inline std::filesystem::path scratch_file(const std::string& area, const std::string& name,
                                          Scratch kind = Scratch::shared) {
  const std::filesystem::path dir = scratch_area(area, kind);
  std::filesystem::create_directories(dir);
  return dir / name;
}

}  // namespace dw::test
