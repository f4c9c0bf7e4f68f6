// The real `dreamwalk` binary on bad input: one line on stderr naming the problem, exit code 2.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "../model/tiny_run.h"

namespace {

struct Result {
  int exit_code = -1;
  std::string err;
};

// Runs the binary with `args` (already shell-quoted where needed); stderr is captured to a file.
Result run_dreamwalk(const std::string& args) {
  const auto err_path = dw::model::testing::scratch_dir("cli_stderr") / "stderr.txt";
  const std::string command = std::string(DREAMWALK_BINARY) + " " + args + " >/dev/null 2>" + err_path.string();
  const int status = std::system(command.c_str());
  std::ifstream in(err_path);
  Result result;
  result.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void check_one_line_error(const Result& result, const std::string& needle) {
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK(result.err.rfind("dreamwalk: ", 0) == 0);
  CHECK(result.err.find(needle) != std::string::npos);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("an unknown command is named", "[cli]") {
  check_one_line_error(run_dreamwalk("frobnicate"), "unknown command 'frobnicate'");
}

TEST_CASE("eval: a horizon longer than every episode, --samples 0, a horizon above 256", "[cli]") {
  const auto& tiny = dw::model::testing::tiny_run();
  const std::string base = "eval --checkpoint " + tiny.run.string() + " --data " + tiny.data.string() + " --context 2";
  check_one_line_error(run_dreamwalk(base + " --horizon 40"), "no episode with 42 frames");
  check_one_line_error(run_dreamwalk(base + " --samples 0"), "--samples");
  check_one_line_error(run_dreamwalk(base + " --horizon 300"), "at most 256");
  check_one_line_error(run_dreamwalk("eval --checkpoint " + tiny.run.string() + " --protocol spin"), "spin");
  check_one_line_error(run_dreamwalk("eval --checkpoint " + tiny.run.string() + " --protocol turn --walks 0"), "--walks");
}
