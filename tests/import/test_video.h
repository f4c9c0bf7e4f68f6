// A tiny video encoder for the import tests, straight on FFmpeg's libraries, so the reader is
// tested against files it did not write itself: FFV1 (lossless) in MKV, MPEG-4 part 2 in AVI.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nav/base/image.h"

namespace dw::data::testing {

// Encodes `frames` at `fps` with the named encoder ("ffv1", "mpeg4") into `path` (container
// from the extension); FFV1 stores BGR0, so its pixels survive exactly. Returns false when this build or libavcodec lacks it.
bool write_test_video(const std::vector<Image>& frames, const std::filesystem::path& path, int fps,
                      const std::string& encoder_name);

}  // namespace dw::data::testing
