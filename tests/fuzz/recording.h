// The recording the CSV targets align against: 6 frames 0.1 s apart, as `import --frames DIR
// --frames-fps 10` reads them (alignment never looks at the pixels, so they are 1x1).
#pragma once

#include "datasets/import_frames.h"

namespace dw::fuzz {

inline data::Recording six_frame_recording() {
  data::Recording recording;
  recording.source = "frames/";
  for (int i = 0; i < 6; ++i) {
    recording.frames.emplace_back(1, 1);
    recording.times.push_back(i * 0.1);
  }
  return recording;
}

}  // namespace dw::fuzz
