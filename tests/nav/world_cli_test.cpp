// `dreamwalk world` and `dreamwalk bench world`, parsed and run in-process (tools/world.cpp and
// tools/bench_world.cpp are compiled into this test, so it does not need the LibTorch-linked CLI).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "nav/base/image.h"
#include "nav/pose_text.h"
#include "nav/base/user_error.h"
#include "nav/world.h"
#include "tools/commands.h"

namespace fs = std::filesystem;

namespace {

fs::path scratch_dir(const std::string& name) {
  fs::path dir = fs::path(DREAMWALK_TEST_SCRATCH) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Parses and runs one command line the way main() does (minus the error-to-exit-code mapping).
void run_cli(std::vector<std::string> args) {
  CLI::App app{"test", "dreamwalk"};
  app.require_subcommand(1);
  dw::tools::add_world_command(app);
  CLI::App* bench = app.add_subcommand("bench", "bench");
  bench->require_subcommand(1);
  dw::tools::add_bench_world(*bench);
  args.insert(args.begin(), "dreamwalk");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("world writes the view and the map at the spawn pose or a given pose", "[nav][cli]") {
  const auto dir = scratch_dir("world_cli");
  run_cli({"world", "--world-seed", "4", "--size", "48", "--out", (dir / "view.png").string(), "--map",
           (dir / "map.png").string(), "--map-scale", "5"});
  const dw::Image view = dw::load_image(dir / "view.png");
  CHECK(view.width == 48);
  CHECK(view.height == 48);
  const dw::nav::World world(4);
  CHECK(view.pixels == world.render_view(world.spawn_pose(0), 48).pixels);
  CHECK(dw::load_image(dir / "map.png").width == world.width() * 5);

  const dw::nav::Pose pose = world.spawn_pose(9);
  run_cli({"world", "--world-seed", "4", "--size", "32", "--pose", dw::nav::format_pose(pose), "--out",
           (dir / "posed.png").string(), "--json"});
  CHECK(dw::load_image(dir / "posed.png").width == 32);
}

TEST_CASE("world rejects bad poses and sizes with a user error", "[nav][cli]") {
  const auto dir = scratch_dir("world_cli_bad");
  const std::string out = (dir / "view.png").string();
  CHECK_THROWS_WITH(run_cli({"world", "--pose", "1,2", "--out", out}), Catch::Contains("--pose"));
  CHECK_THROWS_WITH(run_cli({"world", "--pose", "0.5,0.5,0", "--out", out}),
                    Catch::Contains("cannot stand there"));
  // The message offers the nearest free cell, and that pose works.
  std::string message;
  try {
    run_cli({"world", "--world-seed", "7", "--pose", "10.5,12.5,1.57", "--out", out});
  } catch (const dw::UserError& error) {
    message = error.what();
  }
  const std::string marker = "the nearest free cell is at ";
  REQUIRE(message.find(marker) != std::string::npos);
  const size_t from = message.find(marker) + marker.size();
  const std::string suggested = message.substr(from, message.find(';', from) - from);
  CHECK_THAT(message, Catch::Contains("--map"));
  run_cli({"world", "--world-seed", "7", "--pose", suggested, "--out", out});
  CHECK(fs::exists(out));
  fs::remove(out);
  CHECK_THROWS_WITH(run_cli({"world", "--size", "31", "--out", out}), Catch::Contains("--size"));
  CHECK_THROWS_AS(run_cli({"world", "--size", "513", "--out", out}), dw::UserError);
  CHECK_THROWS_AS(run_cli({"world", "--map-scale", "0", "--out", out}), dw::UserError);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("bench world runs a few frames and checks its flags", "[nav][cli]") {
  CHECK_NOTHROW(run_cli({"bench", "world", "--size", "32", "--frames", "3"}));
  CHECK_THROWS_AS(run_cli({"bench", "world", "--size", "16"}), dw::UserError);
  CHECK_THROWS_AS(run_cli({"bench", "world", "--frames", "0"}), dw::UserError);
  CHECK_THROWS_WITH(run_cli({"bench", "world", "--policy", "nope", "--frames", "2"}),
                    Catch::Contains("unknown policy"));
}
