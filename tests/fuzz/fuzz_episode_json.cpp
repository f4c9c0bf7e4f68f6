// An episode folder's episode.json, read by read_episode (training, eval, validate) beside two real
// 2x2 frames, so counts and sizes are checked against frames that exist.
#include "datasets/episode.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
const std::filesystem::path& episode_dir() {
  static const std::filesystem::path dir = [] {
    const auto path = dw::fuzz::scratch_dir() / "episode";
    for (int i = 0; i < 2; ++i) dw::save_png(dw::Image(2, 2), path / "frames" / dw::data::frame_file_name(i));
    return path;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto dir = episode_dir();
  dw::fuzz::write_input(data, size, "episode/episode.json");
  return dw::fuzz::parse_input([&] { dw::data::read_episode(dir); });
}
