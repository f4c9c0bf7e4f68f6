// `dreamwalk bench loader`: training windows delivered per second by the window sampler, counted
// in frames. The split's packed cache is opened (built, on a fresh dataset) before any timing
// starts and reported as its own figure, so packing never leaks into the loader's. One JSON object
// per measurement.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "datasets/packed_split.h"
#include "datasets/window_sampler.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"

namespace dw::tools {

namespace {

struct BenchLoaderFlags {
  std::string data;
  data::SamplerOptions sampler;
  int batches = 200;
  bool rebuild_cache = false;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run_bench_loader(BenchLoaderFlags flags) {
  if (flags.batches < 1) throw UserError("--batches must be at least 1");
  if (flags.rebuild_cache) {
    std::error_code ignored;
    std::filesystem::remove(data::PackedSplit::cache_dir(flags.data) / (flags.sampler.split + ".json"), ignored);
  }
  auto start = std::chrono::steady_clock::now();
  const auto packed = data::PackedSplit::open(flags.data, flags.sampler.split);
  const double pack_seconds = seconds_since(start);
  // "built": packed now (the seconds are the packing time) or an up-to-date cache reused.
  const nlohmann::json cache = {{"bench", "loader_cache"}, {"built", packed->was_built()},
                                {"size", packed->height()}, {"split", flags.sampler.split},
                                {"frames", packed->total_frames()}, {"seconds", pack_seconds},
                                {"frames_per_s", static_cast<double>(packed->total_frames()) / pack_seconds}};
  fmt::print("{}\n", cache.dump());

  // Finds the cache just opened up to date, so its constructor only maps the files.
  data::WindowSampler sampler(flags.data, flags.sampler);
  std::uint64_t checksum = sampler.next_batch().frames[0];  // warm-up: threads started, pages mapped
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < flags.batches; ++i) {
    const data::WindowBatch batch = sampler.next_batch();
    checksum += batch.frames[batch.frames.size() / 2];  // consumed, so the copies are real
  }
  const double seconds = seconds_since(start);
  const double windows = static_cast<double>(flags.batches) * flags.sampler.batch_size;
  const nlohmann::json result = {{"bench", "loader"},
                                 {"size", sampler.height()},
                                 {"split", flags.sampler.split},
                                 {"batch", flags.sampler.batch_size},
                                 {"window", flags.sampler.window},
                                 {"threads", flags.sampler.prefetch_threads},
                                 {"batches", flags.batches},
                                 {"seconds", seconds},
                                 {"windows_per_s", windows / seconds},
                                 {"frames_per_s", windows * flags.sampler.window / seconds},
                                 {"checksum", checksum}};
  fmt::print("{}\n", result.dump());
}

}  // namespace

void add_bench_loader(CLI::App& bench) {
  auto flags = std::make_shared<BenchLoaderFlags>();
  CLI::App* command = bench.add_subcommand("loader", "Training windows delivered per second, in frames");
  command->add_option("--data", flags->data, "Dataset folder")->required();
  command->add_option("--split", flags->sampler.split, "Split to sample")->capture_default_str();
  command->add_option("--window", flags->sampler.window, "Frames per window")->capture_default_str();
  command->add_option("--batch", flags->sampler.batch_size, "Windows per batch")->capture_default_str();
  command->add_option("--batches", flags->batches, "Batches to time")->capture_default_str();
  command->add_option("--threads", flags->sampler.prefetch_threads, "Prefetch threads (0 = calling thread)")
      ->capture_default_str();
  command->add_option("--seed", flags->sampler.seed, "Shuffling seed")->capture_default_str();
  command->add_flag("--rebuild-cache", flags->rebuild_cache, "Drop the split's packed cache first and time its build");
  command->callback([flags] { run_bench_loader(*flags); });
}

}  // namespace dw::tools
