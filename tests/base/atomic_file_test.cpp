// Atomic writes by several writers at once: each write has its own temporary, so two processes
// (the ranks of a distributed run building one cache) or two threads writing one file never take
// each other's temporary away, and the temporaries of killed writers are cleared by the next write.
#include "nav/base/atomic_file.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "nav/base/user_error.h"
#include "tests/scratch.h"

namespace fs = std::filesystem;

namespace {

fs::path fresh(const std::string& name) {
  return dw::test::fresh_scratch_dir("atomic_file", name, dw::test::Scratch::per_process);
}

void touch(const fs::path& path) { std::ofstream(path) << "left over"; }

// Writes `contents` to `path` `times` times; the number of writes that threw.
int write_many(const fs::path& path, const std::string& contents, int times) {
  int failures = 0;
  for (int i = 0; i < times; ++i) {
    try {
      dw::write_file_atomically(path, contents);
    } catch (const dw::UserError&) {
      ++failures;
    }
  }
  return failures;
}

}  // namespace

TEST_CASE("two threads writing one file at once both succeed, and one whole copy is left",
          "[base][atomic]") {
  const fs::path path = fresh("threads") / "cache.json";
  const std::string first(4096, 'a'), second(3000, 'b');
  std::atomic<int> failures{0};
  std::thread other([&] { failures += write_many(path, second, 200); });
  failures += write_many(path, first, 200);
  other.join();
  CHECK(failures == 0);
  const std::string left = dw::read_whole_file(path);
  CHECK((left == first || left == second));
  CHECK(dw::temporaries_of(path).empty());
}

TEST_CASE("two processes writing one file at once both succeed", "[base][atomic]") {
  const fs::path path = fresh("processes") / "train.json";
  const std::string parent_contents(8192, 'p'), child_contents(5000, 'c');
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(write_many(path, child_contents, 300) == 0 ? 0 : 1);
  const int parent_failures = write_many(path, parent_contents, 300);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(parent_failures == 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const std::string left = dw::read_whole_file(path);
  CHECK((left == parent_contents || left == child_contents));
}

TEST_CASE("a killed writer's temporary is removed by the next write; a running one's is kept",
          "[base][atomic]") {
  const fs::path dir = fresh("left_over");
  // ".x.HOST.PID.N.tmp": this machine's name as temporaries carry it
  const std::string made = dw::temporary_path_for(dir / "x").filename().string();
  const std::string host = made.substr(3, made.find('.', 3) - 3);
  REQUIRE_FALSE(host.empty());
  const pid_t gone = fork();  // a process that has ended: its pid no longer runs
  REQUIRE(gone >= 0);
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  const auto temporary = [&](const std::string& name, const std::string& machine, long pid,
                             const std::string& rest) {
    return dir / ("." + name + "." + machine + "." + std::to_string(pid) + "." + rest);
  };
  const fs::path killed = temporary("model.json", host, gone, "0.tmp");
  const fs::path killed_folder = temporary("model.json", host, gone, "3.tmp.d");
  const fs::path running = temporary("model.json", host, getpid(), "999.tmp");
  const fs::path other_machine = temporary("model.json", "elsewhere", gone, "0.tmp");
  const fs::path other_file = temporary("model.jsonl", host, gone, "0.tmp");
  const fs::path not_ours = dir / ".model.json.tmp";
  for (const auto& file : {killed, running, other_machine, other_file, not_ours}) touch(file);
  fs::create_directories(killed_folder / "frames");
  CHECK(dw::temporaries_of(dir / "model.json").size() == 4);

  dw::write_file_atomically(dir / "model.json", std::string("{}"));
  CHECK_FALSE(fs::exists(killed));
  CHECK_FALSE(fs::exists(killed_folder));
  CHECK(fs::exists(running));        // a write in progress in a process that still runs
  CHECK(fs::exists(other_machine));  // its pid says nothing on this machine (a shared folder)
  CHECK(fs::exists(other_file));     // another file's
  CHECK(fs::exists(not_ours));       // not a name we make
  CHECK(dw::read_whole_file(dir / "model.json") == "{}");
}

TEST_CASE("a file in a folder being built is written directly, and a failure names it",
          "[base][atomic]") {
  const fs::path dir = fresh("in_new_folder");
  const std::string contents = "frame bytes";
  dw::write_file_in_new_folder(dir / "frame.png", contents.data(), contents.size());
  CHECK(dw::read_whole_file(dir / "frame.png") == contents);
  CHECK(dw::temporaries_of(dir / "frame.png").empty());
  try {
    dw::write_file_in_new_folder(dir / "missing" / "frame.png", contents.data(), contents.size());
    FAIL("a file in a folder that is not there was written");
  } catch (const dw::UserError& error) {
    CHECK(std::string(error.what()).find((dir / "missing" / "frame.png").string()) !=
          std::string::npos);
  }
}
