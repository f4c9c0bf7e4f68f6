// Animated GIF output for rollouts, comparisons and viewer recordings, and a small reader used to
// check what was written. GIF keeps 256 colours, so frames are mapped to a fixed colour cube with
// ordered dithering: deterministic and free of per-frame palette flicker.
#pragma once

#include <filesystem>
#include <vector>

#include "nav/base/image.h"

namespace dw::data {

// Writes a looping GIF atomically. All frames must share one size (UserError otherwise).
// delay is in 1/100 s per frame; scale > 1 upsamples with nearest neighbour for viewing.
void write_gif(const std::vector<Image>& frames, const std::filesystem::path& path,
               int delay_centiseconds = 10, int scale = 1);

// Decodes a GIF back into RGB frames. Throws UserError naming the file if it is not a GIF.
std::vector<Image> read_gif(const std::filesystem::path& path);

// Nearest-neighbour upsampling by an integer factor (for --scale).
Image upscale_nearest(const Image& image, int factor);

}  // namespace dw::data
