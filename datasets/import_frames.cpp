#include "datasets/import_frames.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "datasets/video_reader.h"
#include "nav/base/user_error.h"

namespace dw::data {

Image prepare_frame(const Image& frame, const FramePrep& prep) {
  if (!prep.center_crop) return resize_image(frame, prep.size, prep.size);
  const int side = std::min(frame.width, frame.height);
  const int x0 = (frame.width - side) / 2;
  const int y0 = (frame.height - side) / 2;
  Image square(side, side);
  for (int y = 0; y < side; ++y) {
    const std::uint8_t* row = frame.at(x0, y0 + y);
    std::copy(row, row + static_cast<size_t>(side) * 3, square.at(0, y));
  }
  if (side == prep.size) return square;  // an exact copy keeps imported frames bit-identical
  return resize_image(square, prep.size, prep.size);
}

void FrameCollector::add(const Image& frame, const std::string& name) {
  if (width_ == 0) {
    width_ = frame.width;
    height_ = frame.height;
    first_name_ = name;
  } else if (frame.width != width_ || frame.height != height_) {
    throw UserError(source_ + ": " + name + " is " + std::to_string(frame.width) + "x" +
                    std::to_string(frame.height) + " but " + first_name_ + " is " +
                    std::to_string(width_) + "x" + std::to_string(height_) +
                    "; all frames of a source must have one size");
  }
  if (frame.width == prep_.size && frame.height == prep_.size) {
    frames_.push_back(frame);
  } else {
    frames_.push_back(prepare_frame(frame, prep_));
  }
}

namespace {
bool is_image_file(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}
}  // namespace

Recording read_frames_folder(const std::filesystem::path& dir, const FramePrep& prep,
                             double frames_fps) {
  if (!std::filesystem::is_directory(dir)) {
    throw UserError(dir.string() + ": --frames needs a folder of PNG/JPEG images; no such folder");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path());
  }
  // Name order, so frame_1.png .. frame_10.png must be zero-padded; that is the usual export.
  std::sort(files.begin(), files.end());
  if (files.size() < 2) {
    throw UserError(dir.string() + ": found " + std::to_string(files.size()) +
                    " PNG/JPEG images; a recording needs at least 2 frames");
  }
  Recording recording;
  recording.source = dir.string();
  FrameCollector collector(dir.string(), prep);
  for (const auto& file : files) collector.add(load_image(file), file.filename().string());
  recording.frames = collector.take();
  if (frames_fps > 0) {
    for (size_t i = 0; i < recording.frames.size(); ++i) {
      recording.times.push_back(static_cast<double>(i) / frames_fps);
    }
  }
  return recording;
}

Recording read_video_recording(const std::filesystem::path& path, const FramePrep& prep) {
  Recording recording;
  recording.source = path.string();
  FrameCollector collector(path.string(), prep);
  int index = 0;
  recording.skipped = read_video(path, [&](const Image& rgb, double seconds) {
    collector.add(rgb, "frame " + std::to_string(index++));
    recording.times.push_back(seconds);
  });
  recording.frames = collector.take();
  if (recording.frames.size() < 2) {
    throw UserError(path.string() + ": the video has " + std::to_string(recording.frames.size()) +
                    " frame(s); a recording needs at least 2");
  }
  return recording;
}

std::vector<int> resample_by_time(const std::vector<double>& times, double fps) {
  std::vector<int> kept;
  if (times.empty()) return kept;
  const double period = 1.0 / fps;
  const double end = times.back() + 1e-6;  // decimal timestamps land a hair past the last frame
  size_t nearest = 0;
  for (long k = 0;; ++k) {
    const double target = times.front() + static_cast<double>(k) * period;
    if (target > end) break;
    while (nearest + 1 < times.size() &&
           std::fabs(times[nearest + 1] - target) <= std::fabs(times[nearest] - target)) {
      ++nearest;
    }
    const int index = static_cast<int>(nearest);
    if (kept.empty() || kept.back() != index) kept.push_back(index);
  }
  return kept;
}

}  // namespace dw::data
