// PNG/JPEG frames, start images and goal images: dw::decode_image, which load_image runs on the
// file's bytes. In the fuzz build stb_image is compiled in instrumented (stb_image_instrumented.c),
// so coverage reaches the decoder.
#include "nav/base/image_decode.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return dw::fuzz::parse_input([&] { dw::decode_image(dw::fuzz::input_text(data, size), "frame.png"); });
}
