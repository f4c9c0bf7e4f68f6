// The frames side of `dreamwalk import`: a recording (frames already cropped and resized, with
// timestamps when known) read from a folder of images or a video file, and resampling by time.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nav/base/image.h"

namespace dw::data {

// How every source frame becomes a dataset frame: optional centre crop to a square, then an
// area-filtered resize to size x size.
struct FramePrep {
  int size = 64;
  bool center_crop = true;
};

// Crops and resizes one frame per `prep`.
Image prepare_frame(const Image& frame, const FramePrep& prep);

// Checks every source frame against the first one's size (before resizing, since mixed sizes
// usually mean frames from different cameras) and prepares it.
class FrameCollector {
 public:
  FrameCollector(std::string source, FramePrep prep) : source_(std::move(source)), prep_(prep) {}
  // `name` says which frame it is in messages (a file name or "frame 12").
  void add(const Image& frame, const std::string& name);
  std::vector<Image> take() { return std::move(frames_); }

 private:
  std::string source_;
  FramePrep prep_;
  int width_ = 0, height_ = 0;
  std::string first_name_;
  std::vector<Image> frames_;
};

struct Recording {
  std::string source;          // the folder or file it came from, for messages
  std::vector<Image> frames;   // prepared (size x size)
  std::vector<double> times;   // seconds from the first frame, one per frame; empty when unknown
  int skipped = 0;             // video frames whose timestamp repeated or went backwards
};

// PNG/JPEG files of a folder in name order. `frames_fps` > 0 gives the frames timestamps
// i / frames_fps; 0 leaves them unknown. Throws UserError for a missing or image-less folder.
Recording read_frames_folder(const std::filesystem::path& dir, const FramePrep& prep,
                             double frames_fps);

// Every frame of a video file with its timestamp (see video_reader.h). Throws UserError for an
// unreadable file or one with fewer than 2 frames.
Recording read_video_recording(const std::filesystem::path& path, const FramePrep& prep);

// Indices of the frames kept when resampling to `fps`: for each target time t0 + k/fps the
// nearest frame, each frame at most once (so a rate above the source's keeps every frame).
std::vector<int> resample_by_time(const std::vector<double>& times, double fps);

}  // namespace dw::data
