// The ground-truth world: determinism of frames, collision, connectivity, render sizes, the map.
#include <catch2/catch.hpp>

#include <cmath>
#include <deque>

#include "nav/random.h"
#include "nav/base/user_error.h"
#include "nav/world.h"

using dw::nav::Action;
using dw::nav::Pose;
using dw::nav::World;

namespace {

std::uint64_t fnv1a(const std::vector<std::uint8_t>& bytes, std::uint64_t hash = 14695981039346656037ull) {
  for (auto byte : bytes) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::vector<Action> random_actions(std::uint64_t seed, int count) {
  dw::nav::Rng rng(seed);
  std::vector<Action> actions(count);
  for (auto& action : actions) {
    action.forward = rng.uniform(-1.0f, 1.0f);
    action.strafe = rng.uniform(-1.0f, 1.0f);
    action.turn = rng.uniform(-1.0f, 1.0f);
  }
  return actions;
}

// Hash of every frame rendered along the path of `actions` from the spawn pose.
std::uint64_t hash_episode(const World& world, const std::vector<Action>& actions, int size) {
  Pose pose = world.spawn_pose(5);
  std::uint64_t hash = fnv1a(world.render_view(pose, size).pixels);
  for (const auto& action : actions) {
    pose = world.step(pose, action);
    hash = fnv1a(world.render_view(pose, size).pixels, hash);
  }
  return hash;
}

// Our own flood fill over is_wall, independent of the level generator's.
int reachable_from_first_free(const World& world) {
  std::vector<char> seen(static_cast<size_t>(world.width()) * world.height(), 0);
  std::deque<std::pair<int, int>> queue;
  for (int y = 0; y < world.height() && queue.empty(); ++y)
    for (int x = 0; x < world.width() && queue.empty(); ++x)
      if (!world.is_wall(x, y)) queue.emplace_back(x, y);
  int count = 0;
  while (!queue.empty()) {
    const auto [x, y] = queue.front();
    queue.pop_front();
    if (world.is_wall(x, y) || seen[y * world.width() + x]) continue;
    seen[y * world.width() + x] = 1;
    ++count;
    queue.emplace_back(x + 1, y);
    queue.emplace_back(x - 1, y);
    queue.emplace_back(x, y + 1);
    queue.emplace_back(x, y - 1);
  }
  return count;
}

}  // namespace

TEST_CASE("same seed and actions give identical frames; other seeds differ", "[nav][world]") {
  const auto actions = random_actions(99, 40);
  const World first(42), second(42), other(43);
  const std::uint64_t hash = hash_episode(first, actions, 32);
  CHECK(hash_episode(second, actions, 32) == hash);
  CHECK(hash_episode(first, actions, 32) == hash);  // and again in the same instance
  CHECK(hash_episode(other, actions, 32) != hash);
  CHECK(hash_episode(first, random_actions(100, 40), 32) != hash);
}

TEST_CASE("10,000 random actions never leave the agent inside a wall", "[nav][world]") {
  for (std::uint64_t seed : {1u, 2u}) {
    const World world(seed);
    Pose pose = world.spawn_pose(seed);
    REQUIRE(world.is_free(pose.x, pose.y));
    int inside = 0;
    for (const auto& action : random_actions(seed + 10, 10000)) {
      pose = world.step(pose, action);
      if (!world.is_free(pose.x, pose.y)) ++inside;
    }
    CHECK(inside == 0);
  }
}

TEST_CASE("every free cell is reachable from every other", "[nav][world]") {
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    const World world(seed);
    INFO("seed " << seed);
    CHECK(world.free_cell_count() > 40);
    CHECK(reachable_from_first_free(world) == world.free_cell_count());
  }
  dw::nav::WorldSettings crowded;
  crowded.grid_width = 40;
  crowded.grid_height = 16;
  crowded.room_count = 14;
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    const World world(seed, crowded);
    CHECK(reachable_from_first_free(world) == world.free_cell_count());
  }
}

TEST_CASE("the level border is solid and rooms are labelled", "[nav][world]") {
  const World world(7);
  for (int x = -1; x <= world.width(); ++x) {
    CHECK(world.is_wall(x, 0));
    CHECK(world.is_wall(x, world.height() - 1));
  }
  int room_cells = 0;
  for (int y = 0; y < world.height(); ++y)
    for (int x = 0; x < world.width(); ++x)
      if (world.room_at(x, y) >= 0) ++room_cells;
  CHECK(room_cells > 0);
  CHECK(world.room_at(-1, 3) == -1);
}

TEST_CASE("spawn pose is free and depends only on the seeds", "[nav][world]") {
  const World world(3);
  const Pose a = world.spawn_pose(1), b = World(3).spawn_pose(1);
  CHECK(world.is_free(a.x, a.y));
  CHECK(a.x == b.x);
  CHECK(a.y == b.y);
  CHECK(a.yaw == b.yaw);
}

TEST_CASE("step scales, clamps and turns by the documented limits", "[nav][world]") {
  const World world(11);
  const auto& limits = world.settings().limits;
  const Pose start = world.spawn_pose(2);
  const Pose turned = world.step(start, Action{0.0f, 0.0f, 1.0f});
  CHECK(std::remainder(turned.yaw - start.yaw - limits.max_turn, 6.2831853f) == Approx(0.0f).margin(1e-5));
  CHECK(turned.x == start.x);
  const Pose pushed = world.step(start, Action{5.0f, 0.0f, 0.0f});  // clamped to 1
  CHECK(std::hypot(pushed.x - start.x, pushed.y - start.y) <= limits.max_forward + 1e-5f);
}

TEST_CASE("walking diagonally into a wall slides along it", "[nav][world]") {
  const World world(4);
  // A free cell with a wall to its east and free cells north of it.
  int cx = -1, cy = -1;
  for (int y = 1; y + 2 < world.height() && cx < 0; ++y)
    for (int x = 1; x + 1 < world.width() && cx < 0; ++x)
      if (!world.is_wall(x, y) && world.is_wall(x + 1, y) && world.is_wall(x + 1, y + 1) &&
          !world.is_wall(x, y + 1) && !world.is_wall(x, y + 2) && world.is_wall(x + 1, y + 2)) {
        cx = x;
        cy = y;
      }
  REQUIRE(cx >= 0);
  Pose pose{cx + 0.5f, cy + 0.5f, 0.7853982f};  // facing north-east, into the east wall
  for (int i = 0; i < 12; ++i) pose = world.step(pose, Action{1.0f, 0.0f, 0.0f});
  CHECK(pose.x <= cx + 1 - world.settings().agent_radius + 1e-4f);
  CHECK(pose.x > cx + 0.75f);      // pressed against the wall
  CHECK(pose.y > cy + 0.5f + 0.5f);  // but still moved north
}

TEST_CASE("render sizes 32..512 work and others throw", "[nav][world]") {
  const World world(5);
  const Pose pose = world.spawn_pose(0);
  const dw::Image small = world.render_view(pose, 32);
  CHECK(small.width == 32);
  CHECK(small.height == 32);
  const dw::Image large = world.render_view(pose, 512);
  CHECK(large.width == 512);
  CHECK(large.pixels.size() == 512u * 512u * 3u);
  CHECK_THROWS_AS(world.render_view(pose, 31), dw::UserError);
  CHECK_THROWS_AS(world.render_view(pose, 513), dw::UserError);
  CHECK_THROWS_WITH(world.render_view(pose, 0), Catch::Contains("32..512"));
}

TEST_CASE("a frame is not flat: walls, floor and ceiling differ", "[nav][world]") {
  const World world(6);
  const dw::Image frame = world.render_view(world.spawn_pose(1), 64);
  const std::uint8_t* top = frame.at(32, 1);
  const std::uint8_t* bottom = frame.at(32, 62);
  CHECK((top[0] != bottom[0] || top[1] != bottom[1] || top[2] != bottom[2]));
  // Turning changes the view.
  Pose turned = world.spawn_pose(1);
  turned.yaw += 1.5f;
  CHECK(world.render_view(turned, 64).pixels != frame.pixels);
}

TEST_CASE("the map has the expected size and shows the path", "[nav][world]") {
  const World world(8);
  std::vector<Pose> path{world.spawn_pose(1)};
  for (int i = 0; i < 30; ++i) path.push_back(world.step(path.back(), Action{1.0f, 0.0f, 0.3f}));
  const dw::Image map = world.render_map(path, 8);
  CHECK(map.width == world.width() * 8);
  CHECK(map.height == world.height() * 8);
  CHECK(world.render_map({}, 3).width == world.width() * 3);
  CHECK(map.pixels != world.render_map({}, 8).pixels);
  CHECK_THROWS_AS(world.render_map(path, 0), dw::UserError);
}

TEST_CASE("bad world settings are a user error", "[nav][world]") {
  dw::nav::WorldSettings settings;
  settings.grid_width = 4;
  CHECK_THROWS_AS(World(1, settings), dw::UserError);
  settings = {};
  settings.agent_radius = 0.9f;
  CHECK_THROWS_AS(World(1, settings), dw::UserError);
  settings = {};
  settings.limits.max_forward = std::nanf("");
  CHECK_THROWS_AS(World(1, settings), dw::UserError);
}

TEST_CASE("ray distance stops at walls", "[nav][world]") {
  const World world(9);
  const Pose pose = world.spawn_pose(4);
  const float d = world.ray_distance(pose.x, pose.y, pose.yaw, 100.0f);
  CHECK(d > 0.0f);
  CHECK(d < 100.0f);
  const float hit_x = pose.x + (d + 0.01f) * std::cos(pose.yaw);
  const float hit_y = pose.y + (d + 0.01f) * std::sin(pose.yaw);
  CHECK(world.is_wall(static_cast<int>(std::floor(hit_x)), static_cast<int>(std::floor(hit_y))));
  CHECK(world.ray_distance(pose.x, pose.y, pose.yaw, 0.05f) == Approx(std::min(d, 0.05f)));
}

TEST_CASE("action_between undoes free_step, for any heading and turn", "[nav][world]") {
  const dw::nav::ActionLimits limits;
  for (const float yaw : {-3.0f, -1.2f, 0.0f, 0.7f, 2.9f}) {
    for (const dw::nav::Action action : {dw::nav::Action{1.0f, 0.0f, 0.0f}, dw::nav::Action{-0.5f, 1.0f, -1.0f},
                                         dw::nav::Action{0.3f, -0.7f, 1.0f}, dw::nav::Action{0.0f, 0.0f, 0.0f}}) {
      const dw::nav::Pose from{4.0f, 5.0f, yaw};
      const dw::nav::Action back = dw::nav::action_between(from, dw::nav::free_step(from, action, limits), limits);
      CHECK(back.forward == Approx(action.forward).margin(1e-4));
      CHECK(back.strafe == Approx(action.strafe).margin(1e-4));
      CHECK(back.turn == Approx(action.turn).margin(1e-4));
    }
  }
}
