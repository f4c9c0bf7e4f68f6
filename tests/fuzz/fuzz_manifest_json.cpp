// A dataset's manifest.json: read_manifest, then the split lookups training and eval make.
#include "datasets/dataset.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto dir = dw::fuzz::write_input(data, size, "dataset/manifest.json").parent_path();
  return dw::fuzz::parse_input([&] {
    const dw::data::Manifest manifest = dw::data::read_manifest(dir);
    dw::data::held_out_warning(manifest, dir);
    dw::data::split_episodes(manifest, "train", dir);
  });
}
