// Training windows: random runs of context + horizon frames with their actions, never crossing an
// episode boundary, drawn with seeded shuffling from a packed per-split cache and prefetched by
// background threads. Hands out plain buffers; the model side turns them into tensors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nav/base/image.h"

namespace dw::data {

// A batch of windows. frames: [batch][time][height][width][3] uint8;
// actions: [batch][time-1][action_dim] float in [-1,1] (action t leads from frame t to t+1).
struct WindowBatch {
  int batch = 0;
  int time = 0;
  int height = 0;
  int width = 0;
  int action_dim = 0;
  std::vector<std::uint8_t> frames;
  std::vector<float> actions;

  // Frame t of window b, and the action between frames t and t+1 of window b.
  Image frame(int b, int t) const;
  std::vector<float> action(int b, int t) const;
};

struct SamplerOptions {
  std::string split = "train";
  int window = 12;            // frames per window = context + horizon
  int batch_size = 16;
  std::uint64_t seed = 0;
  int prefetch_threads = 1;   // 0 = load on the calling thread
  int prefetch_depth = 4;     // batches kept ready
};

// One split packed into a single uint8 file (built once, memory-mapped) plus its actions.
class PackedSplit;

class WindowSampler {
 public:
  // Builds or reuses the packed cache under dataset_dir/.cache/. Throws UserError on bad input.
  WindowSampler(const std::filesystem::path& dataset_dir, SamplerOptions options);
  ~WindowSampler();
  WindowSampler(const WindowSampler&) = delete;
  WindowSampler& operator=(const WindowSampler&) = delete;

  // Batch i is a pure function of (seed, i): prefetch threads only compute ahead. Within an
  // epoch (window_count() windows) every window is drawn once, in a seeded shuffled order.
  WindowBatch next_batch();
  std::int64_t window_count() const;  // distinct valid window starts in the split
  int width() const;
  int height() const;
  int action_dim() const;
  // Sampler position, saved in checkpoints so a resumed run sees the same batches.
  std::uint64_t batches_drawn() const;
  void skip_to(std::uint64_t batches_drawn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Every window of a split in order (start stride `stride`), for evaluation. Deterministic.
class WindowEnumerator {
 public:
  WindowEnumerator(const std::filesystem::path& dataset_dir, const std::string& split, int window,
                   int stride);
  ~WindowEnumerator();
  WindowEnumerator(const WindowEnumerator&) = delete;
  WindowEnumerator& operator=(const WindowEnumerator&) = delete;
  std::int64_t size() const;
  int width() const;
  int height() const;
  int action_dim() const;
  // Windows [first, first + count) as one batch (count clipped at the end).
  WindowBatch batch(std::int64_t first, int count) const;
  // The given windows (each in [0, size())) as one batch, in that order.
  WindowBatch batch_of(const std::vector<std::int64_t>& indices) const;
  // The walk (its position in the split's episode list) that window `index` is cut from.
  int episode_of(std::int64_t index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dw::data
