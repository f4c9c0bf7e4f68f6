#include "tests/fuzz/fuzz_input.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <system_error>

namespace dw::fuzz {

namespace {
void remove_scratch() {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_dir(), ignored);
}
}  // namespace

const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const auto path = std::filesystem::temp_directory_path() / ("dreamwalk-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    std::atexit(remove_scratch);
    return path;
  }();
  return dir;
}

std::filesystem::path write_input(const std::uint8_t* data, std::size_t size, const std::filesystem::path& name) {
  const auto path = scratch_dir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) throw std::runtime_error("fuzz: cannot write " + path.string());  // the harness's fault, not the parser's
  return path;
}

}  // namespace dw::fuzz
