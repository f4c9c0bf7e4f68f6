// A viewer key script (`view --script keys.txt`): dw::viewer::Script::load and its quit step.
#include "tests/fuzz/fuzz_input.h"
#include "viewer/script.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = dw::fuzz::write_input(data, size, "keys.txt");
  return dw::fuzz::parse_input([&] { dw::viewer::Script::load(path).quit_step(); });
}
