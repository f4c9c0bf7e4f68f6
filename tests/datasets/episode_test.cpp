// The episode format: byte-exact round trips (with and without actions) and one clear error,
// naming the file and the problem, for each kind of bad episode on disk.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "datasets/episode.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"
#include "tests/datasets/test_episodes.h"

namespace fs = std::filesystem;
using namespace dw::data;
using dw::data::testing::encoded_episode;
using dw::data::testing::scratch_dir;

namespace {

void replace_in_file(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = dw::read_whole_file(path);
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  dw::write_file_atomically(path, text);
}

// Overwrites the first value of the first action row with `text` (e.g. "null", "1.5").
void set_first_action_value(const fs::path& path, const std::string& text) {
  std::string json = dw::read_whole_file(path);
  const auto outer = json.find('[', json.find("\"actions\""));
  const auto row = json.find('[', outer + 1) + 1;
  json.replace(row, json.find(',', row) - row, text);
  dw::write_file_atomically(path, json);
}

void require_same_meta(const EpisodeMeta& a, const EpisodeMeta& b) {
  CHECK(a.source == b.source);
  CHECK(a.policy == b.policy);
  CHECK(a.world_seed == b.world_seed);
  REQUIRE(a.world_settings.has_value() == b.world_settings.has_value());
  if (a.world_settings) {
    CHECK(a.world_settings->grid_width == b.world_settings->grid_width);
    CHECK(a.world_settings->agent_radius == b.world_settings->agent_radius);
    CHECK(a.world_settings->limits.max_turn == b.world_settings->limits.max_turn);
  }
  CHECK(a.width == b.width);
  CHECK(a.height == b.height);
  CHECK(a.schema.names == b.schema.names);
  CHECK(a.schema.limits == b.schema.limits);
  CHECK(a.schema.keys == b.schema.keys);
}

}  // namespace

TEST_CASE("episode round trip keeps frames, actions, poses and meta exactly", "[datasets][episode]") {
  const auto dir = scratch_dir("episode_round_trip");
  Episode episode = encoded_episode(3, 7, 8);
  episode.actions[2] = {1.0f, -1.0f, 0.1f};
  episode.poses[4] = {1e-7f, -123.456f, 3.14159265f};
  write_episode(episode, dir / "ep");
  CHECK(dw::temporaries_of(dir / "ep").empty());
  const Episode back = read_episode(dir / "ep");
  REQUIRE(back.frames.size() == 7);
  for (std::size_t i = 0; i < back.frames.size(); ++i) CHECK(back.frames[i].pixels == episode.frames[i].pixels);
  CHECK(back.actions == episode.actions);
  REQUIRE(back.poses.size() == episode.poses.size());
  for (std::size_t i = 0; i < back.poses.size(); ++i) {
    CHECK(back.poses[i].x == episode.poses[i].x);
    CHECK(back.poses[i].y == episode.poses[i].y);
    CHECK(back.poses[i].yaw == episode.poses[i].yaw);
  }
  require_same_meta(back.meta, episode.meta);
}

TEST_CASE("an action-free episode (dimension 0) round trips", "[datasets][episode]") {
  const auto dir = scratch_dir("episode_action_free");
  const Episode episode = encoded_episode(1, 5, 8, 0);
  REQUIRE(episode.actions.empty());
  write_episode(episode, dir / "video");
  const Episode back = read_episode(dir / "video");
  CHECK(back.meta.schema.dimension() == 0);
  CHECK(back.actions.empty());
  CHECK(back.poses.empty());
  CHECK(back.transitions() == 4);
  CHECK(back.frames[4].pixels == episode.frames[4].pixels);
}

TEST_CASE("a hand-written minimal episode.json without frame_count is accepted", "[datasets][episode]") {
  const auto dir = scratch_dir("episode_minimal") / "clip";
  fs::create_directories(dir / "frames");
  for (int i = 0; i < 3; ++i) dw::save_png(dw::data::testing::encoded_frame(0, i, 4), dir / "frames" / frame_file_name(i));
  dw::write_file_atomically(dir / "episode.json",
                            std::string("{\"format_version\": 1, \"meta\": {\"action_schema\": {\"names\": [\"steer\"]}},\n"
                                        " \"actions\": [[0.5], [-1]]}\n"));
  const Episode back = read_episode(dir);
  CHECK(back.meta.width == 4);
  CHECK(back.meta.schema.limits == std::vector<float>{1.0f});
  CHECK(back.actions[1][0] == -1.0f);
}

TEST_CASE("rewriting an episode replaces it completely", "[datasets][episode]") {
  const auto dir = scratch_dir("episode_rewrite");
  write_episode(encoded_episode(1, 9), dir / "ep");
  write_episode(encoded_episode(2, 4), dir / "ep");
  CHECK_FALSE(fs::exists(dir / "ep" / "frames" / frame_file_name(8)));
  CHECK(read_episode(dir / "ep").frames.size() == 4);
}

TEST_CASE("bad episodes on disk are named with the file and the problem", "[datasets][episode]") {
  const auto dir = scratch_dir("episode_bad");
  const fs::path ep = dir / "ep";
  write_episode(encoded_episode(5, 6), ep);
  const fs::path json = ep / "episode.json";

  SECTION("missing PNG") {
    fs::remove(ep / "frames" / "000003.png");
    REQUIRE_THROWS_WITH(read_episode(ep), Catch::Contains("000003.png") && Catch::Contains("missing"));
  }
  SECTION("corrupt PNG") {
    dw::write_file_atomically(ep / "frames" / "000002.png", std::string("garbage"));
    REQUIRE_THROWS_WITH(read_episode(ep), Catch::Contains("000002.png") && Catch::Contains("not a readable image"));
  }
  SECTION("mixed frame sizes") {
    dw::save_png(dw::Image(4, 4), ep / "frames" / "000004.png");
    REQUIRE_THROWS_WITH(read_episode(ep), Catch::Contains("000004.png") && Catch::Contains("4x4") &&
                                              Catch::Contains("8x8"));
  }
  SECTION("action count not frames - 1") {
    replace_in_file(json, "\"frame_count\": 6", "\"frame_count\": 7");
    REQUIRE_THROWS_WITH(read_episode(ep), Catch::Contains("episode.json") && Catch::Contains("5 actions") &&
                                              Catch::Contains("7 frames"));
  }
  SECTION("NaN action (JSON null)") {
    set_first_action_value(json, "null");
    REQUIRE_THROWS_WITH(read_episode(ep), Catch::Contains("episode.json") && Catch::Contains("actions[0][0]") &&
                                              Catch::Contains("NaN"));
  }
  SECTION("out-of-range action") {
    set_first_action_value(json, "1.5");
    REQUIRE_THROWS_WITH(read_episode(ep), Catch::Contains("episode.json") && Catch::Contains("actions[0][0]") &&
                                              Catch::Contains("1.5") && Catch::Contains("outside [-1, 1]"));
  }
  SECTION("malformed JSON reports the line") {
    dw::write_file_atomically(json, std::string("{\n  \"format_version\": 1,\n  \"meta\": {\n    \"source\": nav\n  }\n}\n"));
    REQUIRE_THROWS_WITH(read_episode(ep), Catch::Contains("episode.json: line 4") && Catch::Contains("malformed JSON"));
  }
  SECTION("pose count mismatch") {
    std::string text = dw::read_whole_file(json);
    const auto poses = text.find("\"poses\": [\n") + 11;
    text.erase(poses, text.find('\n', poses) + 1 - poses);
    dw::write_file_atomically(json, text);
    REQUIRE_THROWS_WITH(read_episode(ep), Catch::Contains("5 poses") && Catch::Contains("6 frames"));
  }
  SECTION("not an episode folder") {
    REQUIRE_THROWS_WITH(read_episode(dir / "nothing"), Catch::Contains("nothing") && Catch::Contains("no such episode"));
  }
}

TEST_CASE("check_episode rejects NaN and out-of-range actions in memory", "[datasets][episode]") {
  Episode episode = encoded_episode(0, 4);
  episode.actions[1][2] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE_THROWS_WITH(check_episode(episode, "mine"), Catch::Contains("mine") && Catch::Contains("actions[1][2] is NaN"));
  episode.actions[1][2] = -1.25f;
  REQUIRE_THROWS_WITH(check_episode(episode, "mine"), Catch::Contains("outside [-1, 1]"));
  episode.actions.pop_back();
  REQUIRE_THROWS_WITH(check_episode(episode, "mine"), Catch::Contains("2 actions but 4 frames"));
}

TEST_CASE("the ground-truth world moves as far per step as the schema's limits", "[datasets][episode]") {
  const dw::nav::ActionLimits limits{0.3f, 0.05f, 0.2f};  // not the defaults
  const dw::nav::WorldSettings settings = world_settings_for(ActionSchema::navigation(limits));
  CHECK(settings.limits.max_forward == limits.max_forward);
  CHECK(settings.limits.max_strafe == limits.max_strafe);
  CHECK(settings.limits.max_turn == limits.max_turn);
  CHECK(settings.grid_width == dw::nav::WorldSettings{}.grid_width);  // the level itself stays the default

  ActionSchema other;
  other.names = {"throttle", "steer", "jump"};
  other.limits = {1, 1, 1};
  CHECK_FALSE(other.is_navigation());
  CHECK_THROWS_WITH(world_settings_for(other), Catch::Contains("throttle, steer, jump"));
}
