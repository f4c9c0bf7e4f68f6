// The packed cache of one split: every frame of the split's episodes in one uint8 file and every
// action in one float file under DIR/.cache/, memory-mapped, so training reads windows with a memcpy
// instead of decoding PNGs. Built once, rebuilt when the manifest or an episode changes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace dw::data {

struct PackedEpisode {
  std::string name;
  std::int64_t first_frame = 0;   // row of its frame 0 in the frames file
  int frame_count = 0;
  std::int64_t first_action = 0;  // row of its action 0 in the actions file
};

// The cache's index (DIR/.cache/SPLIT.json): what the two data files hold. Parsed and checked by
// parse_packed_index: every episode's rows lie inside the totals, one after another, so a damaged
// index can never send a reader outside the mapped files.
struct PackedIndex {
  int cache_version = 0;
  std::string key;  // fingerprint of the dataset it was built from
  int width = 0;
  int height = 0;
  int action_dim = 0;
  std::int64_t frames = 0;   // rows of the frames file
  std::int64_t actions = 0;  // rows of the actions file
  std::vector<PackedEpisode> episodes;
};
// UserError naming `path` when the text is not a consistent index (open() then rebuilds the cache).
PackedIndex parse_packed_index(const std::string& text, const std::filesystem::path& path);

class PackedSplit {
 public:
  // Opens the cache for `split`, building it first when missing or stale. UserError on bad input
  // (the dataset is validated while packing, so a packed split is always well formed).
  static std::shared_ptr<const PackedSplit> open(const std::filesystem::path& dataset_dir,
                                                 const std::string& split);
  ~PackedSplit();
  PackedSplit(const PackedSplit&) = delete;
  PackedSplit& operator=(const PackedSplit&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  int action_dim() const { return action_dim_; }
  std::size_t frame_bytes() const { return static_cast<std::size_t>(width_) * height_ * 3; }
  std::int64_t total_frames() const { return total_frames_; }
  const std::vector<PackedEpisode>& episodes() const { return episodes_; }
  const std::uint8_t* frame(std::int64_t row) const { return frames_ + static_cast<std::size_t>(row) * frame_bytes(); }
  const float* action(std::int64_t row) const { return actions_ + static_cast<std::size_t>(row) * action_dim_; }
  // True when this open() packed the split rather than reusing an up-to-date cache.
  bool was_built() const { return was_built_; }

  // The folder holding the cache files of a dataset.
  static std::filesystem::path cache_dir(const std::filesystem::path& dataset_dir);

 private:
  PackedSplit() = default;
  struct Mapping {
    void* address = nullptr;
    std::size_t size = 0;
  };
  static Mapping map_file(const std::filesystem::path& path, std::size_t expected_size);

  int width_ = 0;
  int height_ = 0;
  int action_dim_ = 0;
  std::int64_t total_frames_ = 0;
  std::vector<PackedEpisode> episodes_;
  Mapping frames_mapping_;
  Mapping actions_mapping_;
  const std::uint8_t* frames_ = nullptr;
  const float* actions_ = nullptr;
  bool was_built_ = false;
};

}  // namespace dw::data
