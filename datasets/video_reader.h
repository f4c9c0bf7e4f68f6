// Video decoding for `dreamwalk import --video`: FFmpeg's libraries demux and decode any format
// they know (MP4, MKV, AVI, WebM, ...), swscale converts to RGB, and each frame comes with its
// presentation time. Built only when FFmpeg's development libraries were found.
#pragma once

#include <filesystem>
#include <functional>

#include "nav/base/image.h"

namespace dw::data {

// True when this build can decode video (FFmpeg found at configure time).
bool can_read_video();

// Decodes the first video stream of `path`, calling `on_frame(rgb, seconds_from_first_frame)`
// for each frame in presentation order. Frames whose timestamp does not increase are skipped
// (returned count). Throws UserError naming the file when it is missing, unreadable, has no
// video stream or no frames, or when this build has no FFmpeg.
int read_video(const std::filesystem::path& path,
               const std::function<void(const Image& rgb, double seconds)>& on_frame);

}  // namespace dw::data
