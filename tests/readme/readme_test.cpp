// Every README example runs as written (issue 15). Each fenced block of README.md carries a
// marker (see readme_blocks.h); `run` blocks execute with the real binary in a folder laid out
// like the checkout, holding a small fixture (tests/readme/setups.sh), and must exit as marked
// and print the lines they show; `output` blocks must be what the program prints.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

#include "tests/readme/readme_blocks.h"

namespace fs = std::filesystem;
using namespace dw::readme;

namespace {

const fs::path kSource = DREAMWALK_SOURCE_DIR;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Per process: CTest runs the test cases in parallel processes. The folders of processes that
// have ended (earlier runs) are removed, so copies of the fixtures do not pile up.
fs::path scratch_root() {
  static const fs::path root = [] {
    const fs::path parent = fs::path(DREAMWALK_TEST_SCRATCH) / "readme";
    fs::create_directories(parent);
    for (const auto& entry : fs::directory_iterator(parent)) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      if (kill(static_cast<pid_t>(std::stol(name)), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path());
    }
    const fs::path dir = parent / std::to_string(getpid());
    fs::remove_all(dir);
    fs::create_directories(dir / "bin");
    fs::create_symlink(DREAMWALK_BINARY, dir / "bin" / "dreamwalk");
    return dir;
  }();
  return root;
}

struct ShellResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved as printed
};

// Runs `script` with bash in `dir`: setups.sh sourced, `dreamwalk` on PATH, stopping at the
// first failing command (as a reader running the lines one by one would).
ShellResult run_shell(const fs::path& dir, const std::string& script) {
  std::ofstream(dir / ".readme-block.sh") << "set -e\nsource '" << (kSource / "tests/readme/setups.sh").string()
                                          << "'\n" << script;
  const char* path = std::getenv("PATH");
  const std::string command = "cd '" + dir.string() + "' && env DREAMWALK_SOURCE='" + kSource.string() +
                              "' PATH='" + (scratch_root() / "bin").string() + ":" + (path ? path : "/usr/bin:/bin") +
                              "' OMP_NUM_THREADS=1 timeout -k 10 300 bash .readme-block.sh >.readme-output 2>&1";  // a hang fails
  const int status = std::system(command.c_str());
  ShellResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.output = read_text(dir / ".readme-output");
  return result;
}

// A fixture (none, data, model) is made once per process, then copied into each block's folder.
fs::path fixture(const std::string& name) {
  static std::map<std::string, fs::path> made;
  if (made.count(name)) return made[name];
  if (name != "none" && name != "data" && name != "model") throw std::runtime_error("unknown fixture '" + name + "'");
  const fs::path dir = scratch_root() / ("fixture-" + name);
  fs::create_directories(dir);
  const ShellResult result = run_shell(dir, "fixture_" + name + "\n");
  if (result.exit_code != 0) throw std::runtime_error("fixture " + name + " failed:\n" + result.output);
  return made[name] = dir;
}

fs::path block_folder(const Block& block, const std::string& fixture_name) {
  const fs::path dir = scratch_root() / ("line-" + std::to_string(block.line));
  fs::remove_all(dir);
  fs::copy(fixture(fixture_name), dir, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  return dir;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += "  " + line + "\n";
  return text;
}

// The last run block: its folder (for `output in=previous`) and what it printed (`of=previous`).
struct Previous {
  fs::path dir;
  std::string output;
};

// Runs one marked block (and, for an output block, its setup) and checks what it printed.
void check_block(const Block& block, Previous& previous) {
  const Marker& marker = block.marker;
  INFO("README.md line " << block.line << ":\n" << block.text);
  std::string printed;
  if (marker.kind == MarkerKind::run) {
    const fs::path dir = block_folder(block, marker.get("in", "none"));
    const std::string setup = marker.has("setup") ? "setup_" + marker.get("setup") + "\n" : "";
    const ShellResult result = run_shell(dir, setup + edited_script(block));
    INFO("printed:\n" << result.output);
    CHECK(result.exit_code == std::stoi(marker.get("exit", "0")));
    printed = result.output;
    if (!previous.dir.empty()) fs::remove_all(previous.dir);  // only the last one is still needed
    previous = Previous{dir, printed};
  } else if (marker.has("setup")) {
    const bool reuses = marker.get("in") == "previous";
    REQUIRE((!reuses || !previous.dir.empty()));
    const fs::path dir = reuses ? previous.dir : block_folder(block, marker.get("in", "none"));
    printed = run_shell(dir, "setup_" + marker.get("setup") + "\n").output;
  } else {
    REQUIRE(marker.get("of") == "previous");
    printed = previous.output;
  }
  const auto missing = missing_lines(shown_lines(block), printed, varying_numbers(marker));
  INFO("printed:\n" << printed);
  INFO("shown in the README but not printed:\n" << joined(missing));
  CHECK(missing.empty());
}

std::vector<Block> readme_blocks() { return parse_blocks(read_text(kSource / "README.md")); }

// Runs every run/output block whose `display` flag equals `needs_display`; returns how many ran.
int run_blocks(bool needs_display) {
  Previous previous;
  int count = 0;
  for (const Block& block : readme_blocks()) {
    const MarkerKind kind = block.marker.kind;
    if (kind != MarkerKind::run && kind != MarkerKind::output) continue;
    if (block.marker.has("display") != needs_display) continue;
    check_block(block, previous);
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("README markers, edits and shown lines parse as documented", "[readme]") {
  const std::string markdown =
      "text\n"
      "<!-- readme: run in=data exit=2 edit=\"--steps 200=>--steps 2\" vary=\"46230\" -->\n"
      "```sh\n"
      "dreamwalk gen --steps 200 --out d   # prints: ok: 230 episodes, 46230 frames\n"
      "```\n"
      "<!-- readme: illustrative: a listing -->\n"
      "```\n"
      "data/\n"
      "```\n"
      "```json\n"
      "{}\n"
      "```\n";
  const auto blocks = parse_blocks(markdown);
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0].line == 3);
  CHECK(blocks[0].marker.kind == MarkerKind::run);
  CHECK(blocks[0].marker.get("in") == "data");
  CHECK(blocks[0].marker.get("exit") == "2");
  CHECK(edited_script(blocks[0]).find("--steps 2 --out d") != std::string::npos);
  CHECK(shown_lines(blocks[0]) == std::vector<std::string>{"ok: 230 episodes, 46230 frames"});
  CHECK(blocks[1].marker.kind == MarkerKind::illustrative);
  CHECK(blocks[1].marker.reason == "a listing");
  CHECK(blocks[2].marker.kind == MarkerKind::none);

  const auto vary = varying_numbers(blocks[0].marker);
  CHECK(line_matches("ok: 230 episodes, 46230 frames", "ok: 230 episodes, 690 frames", vary));
  CHECK_FALSE(line_matches("ok: 230 episodes, 46230 frames", "ok: 250 episodes, 690 frames", vary));
  CHECK(line_matches("line 9: malformed JSON (syntax error \xE2\x80\xA6)", "line 9: malformed JSON (syntax error x [y])", {}));
  CHECK(missing_lines({"b", "a"}, "a\nb\n", {}) == std::vector<std::string>{"a"});  // in order

  CHECK_THROWS_WITH(parse_blocks("<!-- readme: illustrative: -->\n```\nx\n```\n"), Catch::Contains("reason"));
  CHECK_THROWS_WITH(parse_blocks("<!-- readme: runs -->\n```\nx\n```\n"), Catch::Contains("unknown marker"));
  CHECK_THROWS_WITH(parse_blocks("```sh\nx\n"), Catch::Contains("unclosed"));
  Block block = blocks[0];
  block.marker.attributes.emplace("edit", "--minutes 30=>--steps 2");
  CHECK_THROWS_WITH(edited_script(block), Catch::Contains("--minutes 30"));
}

TEST_CASE("every fenced block of README.md is marked run, output or illustrative", "[readme]") {
  const auto blocks = readme_blocks();
  REQUIRE(blocks.size() > 10);
  for (const Block& block : blocks) {
    INFO("README.md line " << block.line << " has no <!-- readme: ... --> marker:\n" << block.text);
    CHECK(block.marker.kind != MarkerKind::none);
  }
}

TEST_CASE("README examples run as written and print what they show", "[readme][cli]") {
  CHECK(run_blocks(false) > 0);
}

TEST_CASE("README viewer examples run as written and end by themselves", "[readme][vulkan]") {
#ifdef DREAMWALK_HAS_VIEWER
  CHECK(run_blocks(true) > 0);
#else
  WARN("the viewer is not built (no Vulkan/GLFW/ImGui), so its README examples cannot run");
#endif
}
