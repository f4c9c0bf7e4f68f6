// What every fuzz target shares: the libFuzzer entry point, a scratch folder for parsers that read
// a path (the target writes the input there and calls the same path-taking function the CLI
// does), and the rule that a parser may return or throw dw::UserError and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "nav/base/user_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace dw::fuzz {

// This process's scratch folder (created on first use, removed at exit).
const std::filesystem::path& scratch_dir();
// Writes the input to scratch_dir() / name, replacing what was there, and returns the path.
std::filesystem::path write_input(const std::uint8_t* data, std::size_t size, const std::filesystem::path& name);
inline std::string input_text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// The message of the last input a parser rejected, "" when it was accepted (the replay driver's
// --verbose shows it, so a seed that no longer parses is noticed).
inline std::string& last_rejection() {
  static std::string message;
  return message;
}

// Runs one parse: a UserError is the parser rejecting bad input, which is correct. Any other
// exception escapes, and libFuzzer (or the replay driver) reports it as a finding.
template <typename Parse>
int parse_input(Parse&& parse) {
  last_rejection().clear();
  try {
    parse();
  } catch (const dw::UserError& error) {
    last_rejection() = error.what();
  }
  return 0;
}

}  // namespace dw::fuzz
