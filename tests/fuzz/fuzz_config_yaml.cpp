// The YAML configs of `train --config` and `view --config`: dw::model::load_config.
#include "model/config.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = dw::fuzz::write_input(data, size, "config.yaml");
  return dw::fuzz::parse_input([&] { dw::model::load_config(path); });
}
