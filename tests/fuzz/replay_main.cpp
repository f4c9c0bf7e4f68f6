// Replays fuzz inputs without libFuzzer, so the normal (gcc) test run checks every corpus file,
// crashers included: each must parse or be rejected with dw::UserError. Arguments are corpus
// folders or files; it fails when one escapes with anything else, or when there is nothing to
// replay (a mistyped corpus path must not pass). --verbose prints each input's outcome.
#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_input.h"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs_of(const std::vector<std::string>& arguments) {
  std::vector<fs::path> files;
  for (const auto& argument : arguments) {
    if (fs::is_directory(argument)) {
      for (const auto& entry : fs::recursive_directory_iterator(argument)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else if (fs::is_regular_file(argument)) {
      files.emplace_back(argument);
    } else {
      std::cerr << argument << ": no such corpus folder or file\n";
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Empty when the input was parsed or rejected with UserError; otherwise what escaped.
std::string replay(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  } catch (const std::exception& error) {
    return std::string("escaped exception: ") + error.what();
  } catch (...) {
    return "escaped a non-standard exception";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  const bool is_verbose = !arguments.empty() && arguments.front() == "--verbose";
  if (is_verbose) arguments.erase(arguments.begin());
  const auto files = inputs_of(arguments);
  int failures = 0;
  for (const auto& file : files) {
    const std::string problem = replay(file);
    if (problem.empty()) {
      if (is_verbose) {
        const std::string& rejection = dw::fuzz::last_rejection();
        std::cout << file.string() << ": " << (rejection.empty() ? "parsed" : "rejected: " + rejection) << "\n";
      }
      continue;
    }
    std::cerr << file.string() << ": " << problem << "\n";
    ++failures;
  }
  std::cout << "replayed " << files.size() << " inputs, " << failures << " escaped\n";
  return files.empty() || failures > 0 ? 1 : 0;
}
