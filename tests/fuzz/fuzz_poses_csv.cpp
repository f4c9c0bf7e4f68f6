// `import --poses CSV`: read_csv and the odometry alignment (interpolated poses, relative motion
// between frames) against a recording's frames.
#include "datasets/csv.h"
#include "datasets/import_align.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/recording.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dw::data::Recording recording = dw::fuzz::six_frame_recording();
  const auto path = dw::fuzz::write_input(data, size, "poses.csv");
  return dw::fuzz::parse_input([&] {
    const dw::data::CsvTable table = dw::data::read_csv(path);
    dw::data::Alignment alignment = dw::data::select_frames(recording, 0);
    dw::data::align_poses(alignment, recording, table);
  });
}
