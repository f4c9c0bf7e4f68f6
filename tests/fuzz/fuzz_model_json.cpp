// A run folder's model.json, through the functions every command that takes --checkpoint calls.
#include "model/checkpoint_meta.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = dw::fuzz::write_input(data, size, "run/model.json");
  return dw::fuzz::parse_input([&] { dw::model::read_checkpoint_meta(dw::model::resolve_run_dir(path)); });
}
