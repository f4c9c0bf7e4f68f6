// `dreamwalk train` as a library: multi-step open-loop training over a dataset's window sampler,
// with periodic checkpoints, validation (appended to RUN_DIR/metrics.jsonl) and preview PNGs,
// exact resume, a NaN guard and a clean stop on request (SIGINT). Torch-free header.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "model/distributed.h"

namespace dw::model {

struct TrainOptions {
  std::filesystem::path data_dir;
  std::filesystem::path config_path;    // ignored on --resume (the checkpoint's config is used)
  std::filesystem::path out_dir;
  std::string device = "cpu";
  std::int64_t steps = 0;               // steps to run in this invocation (0 = until `minutes`)
  double minutes = 0.0;                 // wall-clock budget of this invocation (0 = none)
  std::uint64_t seed = 0;
  bool resume = false;
  int threads = 0;                      // 0 = config or machine default
  int batch = 0;                        // 0 = config
  int eval_every = 0;                   // 0 = config
  std::int64_t poison_loss_at_step = -1;  // test hook: makes the loss NaN at this step
  // Data parallel over c10d when world_size > 1: rank 0 alone writes the run folder and reports;
  // every rank reads a --resume checkpoint from out_dir (a shared folder across machines).
  DistributedOptions distributed;
};

struct TrainProgress {
  std::int64_t step = 0;        // completed steps in total (including resumed ones)
  std::int64_t run_steps = 0;   // completed in this invocation
  std::int64_t target_steps = 0;  // run_steps goal, 0 = time-bound
  double loss = 0.0;            // total loss per frame
  double open_loop_mse = 0.0;
  double kl = 0.0;
  double frames_per_s = 0.0;
  double eta_s = -1.0;
};

struct TrainCallbacks {
  std::function<void(const TrainProgress&)> on_progress;   // after every step
  std::function<void(const std::string&)> on_message;      // checkpoint/validation lines
};

struct TrainSummary {
  std::int64_t step = 0;
  bool interrupted = false;  // stopped by request_stop()
  std::int64_t parameters = 0;
};

// Thrown when the loss becomes NaN/Inf: the message names the step and the kept checkpoint. In a
// group every rank throws it (the loss is summed over the ranks first).
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

TrainSummary train(const TrainOptions& options, const TrainCallbacks& callbacks);

// Async-signal-safe: asks a running train() to finish its step, checkpoint and return.
void request_stop();
void clear_stop_request();

// Training throughput on synthetic (or real, when data_dir is set) windows, for the bench; in a
// group (distributed.world_size > 1) the global batch is split as in training.
struct TrainSpeed {
  double frames_per_s = 0.0;        // of the global batch
  int batch = 0;                    // global
  std::int64_t parameters = 0;
  int ranks = 1;
  double step_ms = 0.0;             // per step, all-reduce included
  double all_reduce_ms = 0.0;       // per step: the gradient all-reduce alone
  std::int64_t all_reduce_bytes = 0;  // per step and rank: the gradients (parameters x 4)
};
TrainSpeed measure_training_speed(const std::filesystem::path& config_path,
                                  const std::filesystem::path& checkpoint,
                                  const std::filesystem::path& data_dir, const std::string& device,
                                  int steps, int threads, const DistributedOptions& distributed = {});

}  // namespace dw::model
