// The viewer's files survive a SIGKILL at any moment: a saved walk and a recording (GIF, and MP4
// where FFmpeg is built in) are written by a child process over and over, the child is killed at
// varied moments, and whatever file is left must be the last complete one. The writes are the
// viewer's own calls (save_walk, write_gif, write_mp4); tools/soak-train.sh does the same for
// training, gen, import and rollout through the CLI.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "datasets/gif_writer.h"
#include "datasets/video_reader.h"
#include "datasets/video_writer.h"
#include "tests/scratch.h"
#include "tests/viewer/fake_simulator.h"
#include "viewer/session.h"
#include "viewer/walk.h"

using namespace dw;
using namespace dw::viewer;

namespace {

std::filesystem::path scratch(const std::string& name) { return test::scratch_file("killed_writes", name); }

// Runs `write` in a loop in a child process and SIGKILLs the child after `delay_ms`. The child
// pauses before each rename (the soak hook), so many kills land between write and rename.
void kill_while_writing(const std::function<void()>& write, int delay_ms) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    setenv("DREAMWALK_TEST_SLOW_WRITES_MS", "3", 1);
    for (;;) write();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

std::vector<Image> recording(int frames) {
  std::vector<Image> images;
  for (int t = 0; t < frames; ++t) {
    Image image(32, 32);
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<std::uint8_t>(i * 3 + t * 11);
    images.push_back(image);
  }
  return images;
}

}  // namespace

TEST_CASE("a saved walk killed mid-write leaves the last complete walk or none", "[viewer][kill]") {
  test::FakeSimulator simulator(32);
  Session session(simulator, 5);
  session.start(WalkStart{2, {}});
  for (int i = 0; i < 40; ++i) session.step({1.0f, 0.0f, i % 5 ? 0.0f : 1.0f});
  const std::filesystem::path path = scratch("walk.json");
  std::filesystem::remove(path);
  int survived = 0;
  for (int kill_index = 0; kill_index < 12; ++kill_index) {
    kill_while_writing([&] { save_walk(session.walk(), path); }, 1 + kill_index * 3);
    if (!std::filesystem::exists(path)) continue;
    CHECK(load_walk(path).actions.size() == 40);
    ++survived;
  }
  CHECK(survived > 0);  // the later kills come after at least one complete save
}

TEST_CASE("a recording killed mid-write leaves the last complete file or none", "[viewer][kill]") {
  const std::vector<Image> frames = recording(12);
  const std::filesystem::path gif = scratch("recording.gif");
  std::filesystem::remove(gif);
  for (int kill_index = 0; kill_index < 8; ++kill_index) {
    kill_while_writing([&] { data::write_gif(frames, gif, 10, 2); }, 2 + kill_index * 5);
    if (std::filesystem::exists(gif)) CHECK(data::read_gif(gif).size() == frames.size());
  }
  CHECK(std::filesystem::exists(gif));
  if (!data::can_write_video() || !data::can_read_video()) return;
  const std::filesystem::path mp4 = scratch("recording.mp4");
  std::filesystem::remove(mp4);
  const auto decoded_frames = [](const std::filesystem::path& path) {
    int count = 0;
    data::read_video(path, [&](const Image&, double) { ++count; });
    return count;
  };
  for (int kill_index = 0; kill_index < 8; ++kill_index) {
    kill_while_writing([&] { data::write_mp4(frames, mp4, 10, 2); }, 2 + kill_index * 5);
    if (std::filesystem::exists(mp4)) CHECK(decoded_frames(mp4) == static_cast<int>(frames.size()));
  }
}
