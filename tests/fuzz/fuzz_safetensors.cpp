// Weights files (model.safetensors, optimizer.safetensors): the header parser load_safetensors runs
// before it allocates a tensor per checked entry and copies its bytes (model/safetensors.cpp).
#include "model/safetensors_header.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return dw::fuzz::parse_input(
      [&] { dw::model::parse_safetensors_header(dw::fuzz::input_text(data, size), "model.safetensors"); });
}
