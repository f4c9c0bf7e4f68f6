// Running the real `dreamwalk` binary from a test, and the check every bad-input test makes: one
// "dreamwalk: ..." line on stderr naming the problem, exit code 2.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "../model/model_test_util.h"

namespace dw::testing {

struct Result {
  int exit_code = -1;
  std::string err;
};

// Runs the binary with `args` (already shell-quoted where needed) and `env` ("NAME=value ..."
// before the binary); stderr is captured to a file.
inline Result run_dreamwalk(const std::string& args, const std::string& env = "") {
  const auto err_path = dw::model::testing::scratch_dir("cli_stderr") / "stderr.txt";
  const std::string command = env + std::string(DREAMWALK_BINARY) + " " + args + " >/dev/null 2>" + err_path.string();
  const int status = std::system(command.c_str());
  std::ifstream in(err_path);
  Result result;
  result.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline void check_one_line_error(const Result& result, const std::string& needle) {
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK(result.err.rfind("dreamwalk: ", 0) == 0);
  CHECK(result.err.find(needle) != std::string::npos);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

}  // namespace dw::testing
