// `dreamwalk bench world`: first-person frames rendered per second on one thread, along a
// policy-driven path (the path is computed first and not timed). Prints one JSON object.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nav/base/image.h"
#include "nav/policy.h"
#include "nav/base/user_error.h"
#include "nav/world.h"
#include "tools/commands.h"

namespace dw::tools {

namespace {

struct BenchWorldOptions {
  int size = 64;
  int frames = 5000;
  std::uint64_t world_seed = 1;
  std::string policy = "explore";
};

void run_bench_world(const BenchWorldOptions& options) {
  if (options.size < 32 || options.size > 512) {
    throw UserError(fmt::format("--size must be 32..512 pixels, got {}", options.size));
  }
  if (options.frames < 1) throw UserError(fmt::format("--frames must be at least 1, got {}", options.frames));
  const nav::World world(options.world_seed);
  auto policy = nav::make_policy(options.policy, options.world_seed);
  std::vector<nav::Pose> path;
  path.reserve(static_cast<size_t>(options.frames));
  nav::Pose pose = world.spawn_pose(options.world_seed);
  for (int i = 0; i < options.frames; ++i) {
    path.push_back(pose);
    pose = world.step(pose, policy->next_action(world, pose));
  }

  Image frame;
  world.render_view_into(path.front(), options.size, frame);  // warm-up: scratch buffers, caches
  std::uint64_t checksum = 0;  // consumed below, so the renders cannot be optimised away
  const auto start = std::chrono::steady_clock::now();
  for (const auto& at : path) {
    world.render_view_into(at, options.size, frame);
    checksum += frame.pixels[frame.pixels.size() / 2];
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const nlohmann::json result = {{"bench", "world"},
                                 {"size", options.size},
                                 {"frames", options.frames},
                                 {"threads", 1},
                                 {"world_seed", options.world_seed},
                                 {"policy", options.policy},
                                 {"seconds", seconds},
                                 {"frames_per_s", static_cast<double>(options.frames) / seconds},
                                 {"checksum", checksum}};
  fmt::print("{}\n", result.dump());
}

}  // namespace

void add_bench_world(CLI::App& bench) {
  auto options = std::make_shared<BenchWorldOptions>();
  CLI::App* command = bench.add_subcommand("world", "First-person frames rendered per second on one core");
  command->add_option("--size", options->size, "Frame size in pixels, 32..512")->capture_default_str();
  command->add_option("--frames", options->frames, "Frames to render")->capture_default_str();
  command->add_option("--world-seed", options->world_seed, "Seed of the level")->capture_default_str();
  command->add_option("--policy", options->policy, "Policy that drives the path: random, avoid, explore or keys")->capture_default_str();
  command->callback([options]() { run_bench_world(*options); });
}

}  // namespace dw::tools
