#include "datasets/window_sampler.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "datasets/packed_split.h"
#include "nav/random.h"
#include "nav/base/user_error.h"

namespace dw::data {

namespace fs = std::filesystem;

namespace {

// Windows of one split laid end to end: episode e owns window numbers [offsets[e], offsets[e+1]),
// window j of it starts at frame j * stride. Episodes shorter than the window own none.
struct WindowIndex {
  std::shared_ptr<const PackedSplit> packed;
  int window = 0;
  int stride = 1;
  std::vector<std::int64_t> offsets;

  WindowIndex(std::shared_ptr<const PackedSplit> split, int window_frames, int window_stride,
              const fs::path& dataset_dir, const std::string& split_name)
      : packed(std::move(split)), window(window_frames), stride(window_stride) {
    offsets.push_back(0);
    int longest = 0;
    for (const auto& episode : packed->episodes()) {
      const int usable = episode.frame_count >= window ? (episode.frame_count - window) / stride + 1 : 0;
      offsets.push_back(offsets.back() + usable);
      longest = std::max(longest, episode.frame_count);
    }
    if (offsets.back() == 0)
      throw UserError(dataset_dir.string() + ": split \"" + split_name + "\" has no episode with " +
                      std::to_string(window) + " frames for a window (the longest has " +
                      std::to_string(longest) + ")");
  }

  std::int64_t count() const { return offsets.back(); }

  // The episode window `number` lies in (offsets[e] <= number < offsets[e + 1]).
  std::size_t episode_of(std::int64_t number) const {
    return static_cast<std::size_t>(std::upper_bound(offsets.begin(), offsets.end(), number) - offsets.begin() - 1);
  }

  // Copies window `number` into slot `slot` of `batch` (frames and actions are contiguous in the
  // packed files, so a window is two memcpys).
  void copy_window(std::int64_t number, int slot, WindowBatch& batch) const {
    const std::size_t e = episode_of(number);
    const auto& episode = packed->episodes()[e];
    const std::int64_t start = (number - offsets[e]) * stride;
    const std::size_t window_bytes = packed->frame_bytes() * static_cast<std::size_t>(window);
    std::memcpy(batch.frames.data() + window_bytes * static_cast<std::size_t>(slot),
                packed->frame(episode.first_frame + start), window_bytes);
    const std::size_t row_floats = static_cast<std::size_t>(packed->action_dim()) * static_cast<std::size_t>(window - 1);
    if (row_floats > 0)
      std::memcpy(batch.actions.data() + row_floats * static_cast<std::size_t>(slot),
                  packed->action(episode.first_action + start), row_floats * sizeof(float));
  }

  WindowBatch empty_batch(int count) const {
    WindowBatch batch;
    batch.batch = count;
    batch.time = window;
    batch.height = packed->height();
    batch.width = packed->width();
    batch.action_dim = packed->action_dim();
    batch.frames.resize(packed->frame_bytes() * static_cast<std::size_t>(window) * static_cast<std::size_t>(count));
    batch.actions.resize(static_cast<std::size_t>(packed->action_dim()) * static_cast<std::size_t>(window - 1) *
                         static_cast<std::size_t>(count));
    return batch;
  }
};

// A seeded bijection of [0, n): a 4-round Feistel network on the smallest even number of bits
// covering n, cycle-walked back into range. Position -> window in O(1) with no table, so any
// batch can be computed from (seed, index) alone.
class ShuffledOrder {
 public:
  explicit ShuffledOrder(std::uint64_t n) : n_(n) {
    while ((std::uint64_t{1} << bits_) < n_) bits_ += 2;
    half_ = bits_ / 2;
    mask_ = (std::uint64_t{1} << half_) - 1;
  }

  std::uint64_t at(std::uint64_t position, std::uint64_t key) const {
    std::uint64_t x = position;
    do x = scramble(x, key);
    while (x >= n_);
    return x;
  }

 private:
  std::uint64_t scramble(std::uint64_t x, std::uint64_t key) const {
    std::uint64_t left = x >> half_, right = x & mask_;
    for (std::uint64_t round = 0; round < 4; ++round) {
      const std::uint64_t mixed = nav::mix_seed(key + round, right) & mask_;
      const std::uint64_t next_right = left ^ mixed;
      left = right;
      right = next_right;
    }
    return (left << half_) | right;
  }

  std::uint64_t n_;
  int bits_ = 2;
  int half_ = 1;
  std::uint64_t mask_ = 1;
};

void check_options(const SamplerOptions& options) {
  if (options.window < 1) throw UserError("window " + std::to_string(options.window) + ": must be at least 1 frame");
  if (options.batch_size < 1) throw UserError("batch size " + std::to_string(options.batch_size) + ": must be at least 1");
  if (options.prefetch_threads < 0 || options.prefetch_threads > 64)
    throw UserError("prefetch threads " + std::to_string(options.prefetch_threads) + ": must be 0..64");
  if (options.prefetch_depth < 1) throw UserError("prefetch depth must be at least 1");
}

}  // namespace

struct WindowSampler::Impl {
  SamplerOptions options;
  WindowIndex index;
  ShuffledOrder order;

  std::mutex mutex;
  std::condition_variable batch_ready;
  std::condition_variable room_to_compute;
  std::map<std::uint64_t, WindowBatch> ready;  // computed ahead, keyed by batch number
  std::uint64_t drawn = 0;                     // next batch handed out
  std::uint64_t next_to_compute = 0;
  std::uint64_t generation = 0;                // bumped by skip_to: results of older work are dropped
  bool stopping = false;
  std::vector<std::thread> workers;

  Impl(const fs::path& dir, const SamplerOptions& sampler_options)
      : options(sampler_options),
        index(PackedSplit::open(dir, options.split), options.window, 1, dir, options.split),
        order(static_cast<std::uint64_t>(index.count())) {}

  // Batch `number`: positions number*B .. number*B+B-1 of the endless sequence of epochs, each
  // epoch its own shuffle of all windows.
  WindowBatch compute(std::uint64_t number) const {
    WindowBatch batch = index.empty_batch(options.batch_size);
    const auto windows = static_cast<std::uint64_t>(index.count());
    for (int slot = 0; slot < options.batch_size; ++slot) {
      const std::uint64_t position = number * static_cast<std::uint64_t>(options.batch_size) + static_cast<std::uint64_t>(slot);
      const std::uint64_t epoch_key = nav::mix_seed(options.seed, position / windows);
      index.copy_window(static_cast<std::int64_t>(order.at(position % windows, epoch_key)), slot, batch);
    }
    return batch;
  }

  void work() {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      room_to_compute.wait(lock, [&] {
        return stopping || next_to_compute < drawn + static_cast<std::uint64_t>(options.prefetch_depth);
      });
      if (stopping) return;
      const std::uint64_t number = next_to_compute++;
      const std::uint64_t started_generation = generation;
      lock.unlock();
      WindowBatch batch = compute(number);
      lock.lock();
      if (started_generation == generation && number >= drawn) {
        ready.emplace(number, std::move(batch));
        batch_ready.notify_all();
      }
    }
  }
};

WindowSampler::WindowSampler(const fs::path& dataset_dir, SamplerOptions options) {
  check_options(options);
  impl_ = std::make_unique<Impl>(dataset_dir, options);
  for (int t = 0; t < options.prefetch_threads; ++t) impl_->workers.emplace_back([this] { impl_->work(); });
}

WindowSampler::~WindowSampler() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->room_to_compute.notify_all();
  impl_->batch_ready.notify_all();
  for (auto& worker : impl_->workers) worker.join();
}

WindowBatch WindowSampler::next_batch() {
  Impl& impl = *impl_;
  if (impl.workers.empty()) return impl.compute(impl.drawn++);
  std::unique_lock<std::mutex> lock(impl.mutex);
  while (!impl.ready.count(impl.drawn)) {
    if (impl.next_to_compute <= impl.drawn) {
      // No worker has claimed the batch we need (they are behind or starved of CPU): make it here
      // rather than wait for a wake-up. Only this thread moves `drawn`, so the number stays ours.
      const std::uint64_t number = impl.drawn;
      impl.next_to_compute = number + 1;
      lock.unlock();
      WindowBatch batch = impl.compute(number);
      lock.lock();
      ++impl.drawn;
      lock.unlock();
      impl.room_to_compute.notify_all();
      return batch;
    }
    impl.batch_ready.wait(lock);
  }
  auto node = impl.ready.extract(impl.drawn);
  ++impl.drawn;
  lock.unlock();
  impl.room_to_compute.notify_all();
  return std::move(node.mapped());
}

std::int64_t WindowSampler::window_count() const { return impl_->index.count(); }
int WindowSampler::width() const { return impl_->index.packed->width(); }
int WindowSampler::height() const { return impl_->index.packed->height(); }
int WindowSampler::action_dim() const { return impl_->index.packed->action_dim(); }

std::uint64_t WindowSampler::batches_drawn() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->drawn;
}

void WindowSampler::skip_to(std::uint64_t batches_drawn) {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    ++impl_->generation;
    impl_->ready.clear();
    impl_->drawn = batches_drawn;
    impl_->next_to_compute = batches_drawn;
  }
  impl_->room_to_compute.notify_all();
}

struct WindowEnumerator::Impl {
  WindowIndex index;
};

WindowEnumerator::WindowEnumerator(const fs::path& dataset_dir, const std::string& split, int window, int stride) {
  if (window < 1) throw UserError("window " + std::to_string(window) + ": must be at least 1 frame");
  if (stride < 1) throw UserError("stride " + std::to_string(stride) + ": must be at least 1");
  impl_ = std::make_unique<Impl>(Impl{WindowIndex(PackedSplit::open(dataset_dir, split), window, stride, dataset_dir, split)});
}

WindowEnumerator::~WindowEnumerator() = default;

std::int64_t WindowEnumerator::size() const { return impl_->index.count(); }
int WindowEnumerator::width() const { return impl_->index.packed->width(); }
int WindowEnumerator::height() const { return impl_->index.packed->height(); }
int WindowEnumerator::action_dim() const { return impl_->index.packed->action_dim(); }

WindowBatch WindowEnumerator::batch_of(const std::vector<std::int64_t>& indices) const {
  WindowBatch out = impl_->index.empty_batch(static_cast<int>(indices.size()));
  for (size_t slot = 0; slot < indices.size(); ++slot) {
    impl_->index.copy_window(indices[slot], static_cast<int>(slot), out);
  }
  return out;
}

int WindowEnumerator::episode_of(std::int64_t index) const {
  if (index < 0 || index >= size()) throw UserError("window " + std::to_string(index) + " is out of range");
  return static_cast<int>(impl_->index.episode_of(index));
}

WindowBatch WindowEnumerator::batch(std::int64_t first, int count) const {
  first = std::clamp<std::int64_t>(first, 0, size());
  const int clipped = static_cast<int>(std::clamp<std::int64_t>(count, 0, size() - first));
  WindowBatch out = impl_->index.empty_batch(clipped);
  for (int slot = 0; slot < clipped; ++slot) impl_->index.copy_window(first + slot, slot, out);
  return out;
}

Image WindowBatch::frame(int b, int t) const {
  Image image(width, height);
  const size_t bytes = image.pixels.size();
  const auto* begin = frames.data() + (static_cast<size_t>(b) * time + t) * bytes;
  std::copy(begin, begin + bytes, image.pixels.begin());
  return image;
}

std::vector<float> WindowBatch::action(int b, int t) const {
  const auto* begin = actions.data() + (static_cast<size_t>(b) * (time - 1) + t) * action_dim;
  return std::vector<float>(begin, begin + action_dim);
}

}  // namespace dw::data
