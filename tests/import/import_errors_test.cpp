// Bad input to `dreamwalk import`: each mistake gives one line naming the file (and CSV line) and
// what is wrong, and no dataset or temporary folder is left behind.
#include <catch2/catch.hpp>

#include "datasets/dataset.h"
#include "import_test_util.h"

using namespace dw;
using namespace dw::data;
using namespace dw::data::testing;

TEST_CASE("frame and action counts that do not match name both numbers and the fix", "[import][errors]") {
  const auto dir = import_scratch("count_mismatch");
  write_frames(dir / "frames", 9, 8, 8);
  write_text(dir / "actions.csv", "a,b\n1,2\n1,2\n1,2\n1,2\n1,2\n");
  auto options = frames_options(dir / "frames", dir / "out", 8);
  options.actions_csvs = {dir / "actions.csv"};
  // A frames folder has no timestamps: --fps alone would fail, so --frames-fps is named too.
  require_import_error(options, {"actions.csv", "5 rows", "9 frames", "i.e. 8;", "'time'", "--frames-fps"});
}

TEST_CASE("timestamps that go backwards name the CSV line", "[import][errors]") {
  const auto dir = import_scratch("backwards");
  write_frames(dir / "frames", 4, 8, 8);
  write_text(dir / "actions.csv", "time,a\n0,1\n0.1,1\n# a comment line\n0.05,1\n");
  auto options = frames_options(dir / "frames", dir / "out", 8);
  options.frames_fps = 10;
  options.actions_csvs = {dir / "actions.csv"};
  require_import_error(options, {"actions.csv line 5", "backwards"});
}

TEST_CASE("NaN values name the CSV line and column", "[import][errors]") {
  const auto dir = import_scratch("nan");
  write_frames(dir / "frames", 4, 8, 8);
  write_text(dir / "poses.csv", "frame,x,y,yaw\n0,0,0,0\n1,nan,0,0\n2,1,0,0\n3,2,0,0\n");
  auto options = frames_options(dir / "frames", dir / "out", 8);
  options.poses_csvs = {dir / "poses.csv"};
  require_import_error(options, {"poses.csv line 3", "'x'", "NaN"});
}

TEST_CASE("an unknown column name lists the available ones", "[import][errors]") {
  const auto dir = import_scratch("unknown_column");
  write_frames(dir / "frames", 3, 8, 8);
  write_text(dir / "actions.csv", "throttle,steer\n1,2\n1,2\n");
  auto options = frames_options(dir / "frames", dir / "out", 8);
  options.actions_csvs = {dir / "actions.csv"};
  options.action_columns = {"throttle", "brake=stop"};
  require_import_error(options, {"actions.csv", "no column 'brake'", "available: throttle, steer"});
  options.action_columns = {};
  options.action_scales = {{"speed", 2.0f}};
  require_import_error(options, {"--action-scale", "'speed'", "throttle, steer"});
}

TEST_CASE("images of mixed sizes are refused before resizing", "[import][errors]") {
  const auto dir = import_scratch("mixed_sizes");
  write_frames(dir / "frames", 3, 8, 8);
  save_png(pattern_frame(9, 10, 8), dir / "frames" / "001.png");
  auto options = frames_options(dir / "frames", dir / "out", 8);
  require_import_error(options, {"001.png is 10x8", "000.png is 8x8"});
}

TEST_CASE("an unreadable or empty video is refused by name", "[import][errors]") {
  const auto dir = import_scratch("bad_video");
  write_text(dir / "garbage.mp4", "this is not a video at all, just text pretending to be one");
  write_text(dir / "empty.mkv", "");
  ImportOptions options;
  options.out = dir / "out";
  for (const char* name : {"garbage.mp4", "empty.mkv", "missing.avi"}) {
    options.sources = {{ImportSource::Kind::Video, dir / name}};
    require_import_error(options, {name});
  }
}

TEST_CASE("a poses CSV without x, y, yaw and a time column without a frame rate are refused",
          "[import][errors]") {
  const auto dir = import_scratch("poses_columns");
  write_frames(dir / "frames", 3, 8, 8);
  write_text(dir / "poses.csv", "time,x,y\n0,0,0\n");
  auto options = frames_options(dir / "frames", dir / "out", 8);
  options.poses_csvs = {dir / "poses.csv"};
  require_import_error(options, {"poses.csv", "x, y, yaw", "time, x, y"});
  write_text(dir / "poses.csv", "time,x,y,yaw\n0,0,0,0\n0.1,0,0,0\n0.2,0,0,0\n");
  require_import_error(options, {"poses.csv", "no timestamps", "--frames-fps"});
}

TEST_CASE("an existing output folder is refused and left untouched, or replaced with --force", "[import][errors]") {
  const auto dir = import_scratch("exists");
  write_frames(dir / "frames", 3, 8, 8);
  std::filesystem::create_directories(dir / "out");
  write_text(dir / "out" / "keep.txt", "mine");
  auto options = frames_options(dir / "frames", dir / "out", 8);
  REQUIRE_THROWS_WITH(import_dataset(options), Catch::Contains("already exists") && Catch::Contains("--force"));
  CHECK(std::filesystem::exists(dir / "out" / "keep.txt"));
  options.force = true;
  CHECK(import_dataset(options).frames == 3);
  CHECK_FALSE(std::filesystem::exists(dir / "out" / "keep.txt"));
  CHECK(validate_dataset(dir / "out").empty());
  CHECK_FALSE(std::filesystem::exists(dir / ".out.old"));
  CHECK_FALSE(std::filesystem::exists(dir / ".out.importing"));
}

TEST_CASE("CSV cells that are not numbers or rows with the wrong width name the line", "[import][errors]") {
  REQUIRE_THROWS_WITH(parse_csv("a,b\n1,2\n3\n", "x.csv"), Catch::Contains("x.csv line 3") &&
                                                               Catch::Contains("1 values"));
  const auto table = parse_csv("a,\"b, quoted\"\n1, \"two\"\n", "y.csv");
  CHECK(table.columns == std::vector<std::string>{"a", "b, quoted"});
  CHECK(table.rows[0][1] == "two");
  REQUIRE_THROWS_WITH(table.numbers("b, quoted"), Catch::Contains("y.csv line 2") &&
                                                      Catch::Contains("not a number"));
  CHECK(parse_csv("\xEF\xBB\xBFtime,v\r\n0.5,-2e-3\r\n", "z.csv").numbers("v") ==
        std::vector<double>{-2e-3});
}
