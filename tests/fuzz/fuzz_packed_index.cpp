// The packed cache's sidecar index (DIR/.cache/SPLIT.json): parse_packed_index, whose checked
// episode rows PackedSplit::open maps and the window sampler copies from.
#include "datasets/packed_split.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return dw::fuzz::parse_input(
      [&] { dw::data::parse_packed_index(dw::fuzz::input_text(data, size), "data/.cache/train.json"); });
}
