// `dreamwalk world`: render what the agent sees at a pose in a seeded world (and optionally the
// top-down map), so a person can look at a world.
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "nav/base/image.h"
#include "nav/pose_text.h"
#include "nav/base/user_error.h"
#include "nav/world.h"
#include "tools/commands.h"

namespace dw::tools {

namespace {

struct WorldOptions {
  std::uint64_t world_seed = 0;
  std::uint64_t spawn_seed = 0;
  int size = 256;
  std::string pose;
  std::string out;
  std::string map;
  int map_scale = 12;
  bool json = false;
};

void run_world(const WorldOptions& options) {
  if (options.size < 32 || options.size > 512) {
    throw UserError(fmt::format("--size must be 32..512 pixels, got {}", options.size));
  }
  if (options.map_scale < 1 || options.map_scale > 64) {
    throw UserError(fmt::format("--map-scale must be 1..64 pixels per cell, got {}", options.map_scale));
  }
  const nav::World world(options.world_seed);
  nav::Pose pose = world.spawn_pose(options.spawn_seed);
  if (!options.pose.empty()) {
    pose = nav::parse_pose(options.pose, "--pose");
    nav::require_free_pose(world, pose, "--pose");
  }
  save_png(world.render_view(pose, options.size), options.out);
  if (!options.map.empty()) save_png(world.render_map({pose}, options.map_scale), options.map);

  const int room = world.room_at(static_cast<int>(pose.x), static_cast<int>(pose.y));
  if (options.json) {
    nlohmann::json result = {{"world_seed", options.world_seed},
                             {"size", options.size},
                             {"pose", {pose.x, pose.y, pose.yaw}},
                             {"room", room},
                             {"out", options.out}};
    if (!options.map.empty()) result["map"] = options.map;
    fmt::print("{}\n", result.dump());
  } else {
    fmt::print("world {}: view at pose {} ({}) -> {}{}\n", options.world_seed, nav::format_pose(pose),
               room >= 0 ? fmt::format("room {}", room) : std::string("corridor"), options.out,
               options.map.empty() ? std::string() : ", map -> " + options.map);
  }
}

}  // namespace

void add_world_command(CLI::App& app) {
  auto options = std::make_shared<WorldOptions>();
  CLI::App* command = app.add_subcommand("world", "Render the first-person view (and map) of a seeded world");
  command->add_option("--world-seed", options->world_seed, "Seed of the procedural level")->capture_default_str();
  command->add_option("--size", options->size, "Frame size in pixels, 32..512")->capture_default_str();
  command->add_option("--pose", options->pose,
                      "Agent pose X,Y,YAW (cells, cells, radians CCW from +x); default: a spawn pose");
  command->add_option("--spawn-seed", options->spawn_seed, "Seed of the spawn pose when --pose is not given")
      ->capture_default_str();
  command->add_option("--out", options->out, "Output PNG of the first-person view")->required();
  command->add_option("--map", options->map, "Also write the top-down map PNG here");
  command->add_option("--map-scale", options->map_scale, "Map pixels per cell, 1..64")->capture_default_str();
  command->add_flag("--json", options->json, "Print the result as one JSON object");
  command->callback([options]() { run_world(*options); });
}

}  // namespace dw::tools
