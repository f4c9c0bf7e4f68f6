// A saved walk (`view --replay walk.json`): dw::viewer::load_walk, with a real start image beside
// it so a walk that names one loads it too.
#include "tests/fuzz/fuzz_input.h"
#include "viewer/walk.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool has_start_image = [] {
    dw::save_png(dw::Image(2, 2), dw::fuzz::scratch_dir() / "walk.start.png");
    return true;
  }();
  (void)has_start_image;
  const auto path = dw::fuzz::write_input(data, size, "walk.json");
  return dw::fuzz::parse_input([&] { dw::viewer::load_walk(path); });
}
