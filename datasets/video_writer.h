// MP4 output through FFmpeg's libraries (H.264 when libavcodec has libx264, MPEG-4 part 2 otherwise),
// for rollouts and recordings. Built only when FFmpeg's development libraries were found.
#pragma once

#include <filesystem>
#include <vector>

#include "nav/base/image.h"

namespace dw::data {

// True when this build can write MP4 (FFmpeg found at configure time).
bool can_write_video();

// Writes frames as an MP4 at `fps`, atomically; scale > 1 upsamples with nearest neighbour.
// Odd sizes are padded by one pixel (4:2:0 chroma needs even sizes). Throws UserError on failure.
void write_mp4(const std::vector<Image>& frames, const std::filesystem::path& path, int fps = 10,
               int scale = 1);

}  // namespace dw::data
