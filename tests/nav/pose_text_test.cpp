// Poses given as text on the command line: strict parsing and the free-space check.
#include <catch2/catch.hpp>

#include "nav/pose_text.h"
#include "nav/base/user_error.h"

TEST_CASE("parse_pose reads X,Y,YAW", "[nav][pose]") {
  const dw::nav::Pose pose = dw::nav::parse_pose("3.5,-4.25,1e-1", "--pose");
  CHECK(pose.x == 3.5f);
  CHECK(pose.y == -4.25f);
  CHECK(pose.yaw == Approx(0.1f));
  CHECK(dw::nav::format_pose(pose) == "3.500,-4.250,0.100");
}

TEST_CASE("parse_pose rejects malformed text with the flag name", "[nav][pose]") {
  for (const char* bad : {"", "1,2", "1,2,3,4", "a,b,c", "1,,2", "1, 2,3", "1,2,3x", "nan,1,1", "1,inf,0"}) {
    INFO(bad);
    CHECK_THROWS_AS(dw::nav::parse_pose(bad, "--pose"), dw::UserError);
    CHECK_THROWS_WITH(dw::nav::parse_pose(bad, "--pose"), Catch::Contains("--pose"));
  }
}

TEST_CASE("require_free_pose accepts the spawn pose and rejects walls", "[nav][pose]") {
  const dw::nav::World world(12);
  CHECK_NOTHROW(dw::nav::require_free_pose(world, world.spawn_pose(1), "--pose"));
  CHECK_THROWS_WITH(dw::nav::require_free_pose(world, {0.5f, 0.5f, 0.0f}, "--pose"),
                    Catch::Contains("--pose") && Catch::Contains("world 12"));
  CHECK_THROWS_AS(dw::nav::require_free_pose(world, {-30.0f, 2.0f, 0.0f}, "--pose"), dw::UserError);
}
