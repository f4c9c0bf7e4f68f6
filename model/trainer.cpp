#include "model/trainer.h"

#include <ATen/autocast_mode.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "datasets/dataset.h"
#include "datasets/window_sampler.h"
#include "model/checkpoint.h"
#include "model/data_parallel.h"
#include "model/validation.h"
#include "model/sequence.h"
#include "model/tensor_io.h"
#include "model/threads.h"
#include "model/torch_simulator.h"
#include "nav/base/atomic_file.h"
#include "nav/random.h"
#include "nav/base/user_error.h"

namespace dw::model {
namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_stop_requested{false};

using Clock = std::chrono::steady_clock;

// bf16 autocast on CUDA only: the CPU path stays float32 so CPU runs are bit-reproducible.
class AutocastScope {
 public:
  explicit AutocastScope(bool enable) : enabled_(enable) {
    if (!enabled_) return;
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  }
  ~AutocastScope() {
    if (!enabled_) return;
    at::autocast::clear_cache();
    at::autocast::set_enabled(false);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
};

struct Run {
  CheckpointMeta meta;       // config, schema, step, seed, sampler position
  torch::Device device = torch::kCPU;
  WorldModel model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::unique_ptr<data::WindowSampler> sampler;
  std::unique_ptr<DataParallel> parallel;  // set when training in a group
  std::int64_t last_saved_step = -1;
  bool is_rank0() const { return !parallel || parallel->is_rank0(); }
};

// Joins the group and starts every rank from rank 0's weights.
void join_group(Run& run, const TrainOptions& options) {
  const std::int64_t windows = run.sampler ? run.sampler->window_count() : 0;
  run.parallel = std::make_unique<DataParallel>(options.distributed, run.device, run_handshake(options, run.meta, windows),
                                                run.meta.config.train.batch);
  run.parallel->broadcast_parameters(run.model->parameters());
}

std::unique_ptr<torch::optim::Adam> make_optimizer(WorldModel& model, const TrainConfig& train) {
  return std::make_unique<torch::optim::Adam>(model->parameters(),
                                              torch::optim::AdamOptions(train.learning_rate));
}

void check_data_matches(const data::Manifest& manifest, const CheckpointMeta& meta, const fs::path& data_dir) {
  const ModelConfig& m = meta.config.model;
  if (manifest.width != m.width || manifest.height != m.height) {
    throw UserError(fmt::format("{}: frames are {}x{} but the config wants {}x{}", data_dir.string(),
                                manifest.width, manifest.height, m.width, m.height));
  }
  if (manifest.schema.dimension() != meta.schema.dimension()) {
    throw UserError(fmt::format("{}: actions have dimension {} but the checkpoint has {}", data_dir.string(),
                                manifest.schema.dimension(), meta.schema.dimension()));
  }
  if (manifest.schema.dimension() > 8) throw UserError(data_dir.string() + ": action dimension above 8");
}

// A fresh run (new model, step 0) or the state of the checkpoint in `out_dir` (--resume).
Run prepare_run(const TrainOptions& options, const data::Manifest& manifest) {
  Run run;
  run.device = rank_device(options.device, options.distributed);
  if (options.resume) {
    if (!has_checkpoint(options.out_dir)) {
      throw UserError("--resume: " + options.out_dir.string() + " holds no checkpoint (no model.json)");
    }
    const CheckpointFiles files = read_checkpoint_meta(options.out_dir);
    run.meta = files.meta;
    check_data_matches(manifest, run.meta, options.data_dir);
    run.model = load_weights(files, run.device);
    run.optimizer = make_optimizer(run.model, run.meta.config.train);
    load_optimizer(files, run.model, *run.optimizer);
    run.last_saved_step = run.meta.step;
  } else {
    if (has_checkpoint(options.out_dir)) {
      throw UserError("--out " + options.out_dir.string() +
                      " already holds a run; pass --resume to continue it or choose another folder");
    }
    run.meta.config = load_config(options.config_path);
    run.meta.schema = manifest.schema;
    run.meta.seed = options.seed;
    run.meta.data_dir = fs::absolute(options.data_dir).string();
    check_data_matches(manifest, run.meta, options.data_dir);
    torch::manual_seed(options.seed);  // weight initialisation
    run.model = WorldModel(run.meta.config.model, manifest.schema.dimension());
    run.model->to(run.device);
    run.optimizer = make_optimizer(run.model, run.meta.config.train);
  }
  if (options.batch > 0) run.meta.config.train.batch = options.batch;
  if (options.eval_every > 0) run.meta.config.train.eval_every = options.eval_every;
  data::SamplerOptions sampler;
  sampler.window = run.meta.config.model.context + run.meta.config.train.horizon;
  sampler.batch_size = run.meta.config.train.batch;
  sampler.seed = run.meta.seed;
  run.sampler = std::make_unique<data::WindowSampler>(options.data_dir, sampler);
  if (run.sampler->window_count() == 0) {
    throw UserError(fmt::format("{}: the train split has no episode of {} frames (context + horizon)",
                                options.data_dir.string(), sampler.window));
  }
  run.sampler->skip_to(run.meta.sampler_batches);
  return run;
}

ModelInfo live_info(const Run& run) {
  ModelInfo info;
  info.width = run.meta.config.model.width;
  info.height = run.meta.config.model.height;
  info.context = run.meta.config.model.context;
  info.schema = run.meta.schema;
  info.config_name = run.meta.config.name;
  return info;
}

void append_line(const fs::path& path, const std::string& line) {
  std::string contents = fs::exists(path) ? read_whole_file(path) : std::string();
  contents += line + "\n";
  write_file_atomically(path, contents);
}

// Checkpoint, then validation on a bounded number of val windows and a preview PNG.
void save_and_validate(Run& run, const TrainOptions& options, const TrainCallbacks& callbacks,
                       double train_loss) {
  run.meta.sampler_batches = run.sampler->batches_drawn();
  save_checkpoint(options.out_dir, run.meta, run.model, *run.optimizer);
  run.last_saved_step = run.meta.step;
  const auto manifest = data::read_manifest(options.data_dir);
  const auto val = manifest.splits.find("val");
  if (val == manifest.splits.end() || val->second.empty()) return;
  auto simulator = make_simulator(run.model, live_info(run), run.device);
  EvalOptions eval;
  eval.split = "val";
  eval.context = run.meta.config.model.context;
  eval.horizon = run.meta.config.train.horizon;
  eval.max_windows = run.meta.config.train.eval_windows;
  eval.strips = 0;
  nlohmann::json line;
  try {
    line = validation_json(evaluate(*simulator, options.data_dir, eval));
    save_png(validation_preview(*simulator, options.data_dir, "val", eval.horizon, 4), options.out_dir / "preview.png");
  } catch (const UserError& e) {
    if (callbacks.on_message) callbacks.on_message(std::string("validation skipped: ") + e.what());
    run.model->train();
    return;
  }
  run.model->train();
  line["step"] = run.meta.step;
  line["train_loss"] = train_loss;
  append_line(options.out_dir / "metrics.jsonl", line.dump());
  if (callbacks.on_message) {
    const auto& psnr = line["psnr"];
    const auto& base = line["baseline_psnr"];
    callbacks.on_message(fmt::format("step {}: checkpoint saved; val PSNR h1 {:.2f} (copy-last {:.2f}), h{} {:.2f} ({:.2f})",
                                     run.meta.step, psnr.front().get<double>(), base.front().get<double>(),
                                     psnr.size(), psnr.back().get<double>(), base.back().get<double>()));
  }
}

// One optimisation step of training step `step` on `tensors` (in a group: the global batch, of
// which this rank trains its shard): the loss through the engine, the ranks' agreement on it
// (and on stopping), then (unless it is NaN/Inf, which the caller reports) backward, the
// gradient all-reduce, clipping and Adam. Training and `bench train` both call it, so the bench
// times the real step.
StepAgreement optimisation_step(Run& run, const WindowTensors& global, bool poison_loss, bool stop_requested,
                                bool time_is_up) {
  const TrainConfig& train = run.meta.config.train;
  const std::uint64_t seed = nav::mix_seed(run.meta.seed, static_cast<std::uint64_t>(run.meta.step));
  const WindowTensors tensors = run.parallel ? run.parallel->shard_rows(global) : global;
  ShardedLoss sharded;
  if (run.parallel) sharded = run.parallel->sharded_loss();
  LossTerms terms;
  {
    AutocastScope autocast(tensors.frames.is_cuda());
    terms = sequence_loss(run.model, tensors.frames, tensors.actions, train,
                          observed_frames(run.meta.config, run.meta.seed, run.meta.step), seed,
                          run.parallel ? &sharded : nullptr);
  }
  if (poison_loss) terms.total = terms.total * std::nan("");
  const StepAgreement agreement =
      run.parallel ? run.parallel->agree(terms, stop_requested, time_is_up)
                   : StepAgreement{terms.total.item<double>(), terms.open_loop_mse.item<double>(), terms.kl.item<double>(),
                                   stop_requested, time_is_up};
  if (!std::isfinite(agreement.total)) return agreement;
  run.optimizer->zero_grad();
  terms.total.backward();
  if (run.parallel) run.parallel->all_reduce_gradients(run.model->parameters());
  torch::nn::utils::clip_grad_norm_(run.model->parameters(), train.grad_clip);
  run.optimizer->step();
  return agreement;
}

StepAgreement train_step(Run& run, const TrainOptions& options, bool stop_requested, bool time_is_up) {
  // Every rank draws the whole global batch (a cheap read from the packed cache) and keeps its
  // rows, so the shards are exactly the batch one process would train on.
  const WindowTensors tensors = to_tensors(run.sampler->next_batch(), run.device);
  return optimisation_step(run, tensors, run.meta.step == options.poison_loss_at_step, stop_requested, time_is_up);
}

void check_options(const TrainOptions& options) {
  if (options.steps < 0) throw UserError("--steps must be >= 0");
  if (options.minutes < 0) throw UserError("--minutes must be >= 0");
  if (options.steps == 0 && options.minutes == 0) throw UserError("give --steps N or --minutes M");
  if (options.threads < 0) throw UserError("--threads must be >= 0");
  if (options.batch < 0) throw UserError("--batch must be >= 0");
  if (options.eval_every < 0) throw UserError("--eval-every must be >= 0");
}

}  // namespace

void request_stop() { g_stop_requested.store(true); }
void clear_stop_request() { g_stop_requested.store(false); }

namespace {

// Rank 0 checkpoints and validates. When training goes on, the other ranks wait for it (as long
// as it is alive: a validation may take longer than --dist-timeout); after the last step they
// just note that it does.
void checkpoint_point(Run& run, const TrainOptions& options, const TrainCallbacks& callbacks, double train_loss,
                      bool training_goes_on) {
  const std::string key = fmt::format("checkpoint/{}", run.meta.step);
  if (run.is_rank0()) {
    save_and_validate(run, options, callbacks, train_loss);
    if (run.parallel && training_goes_on) run.parallel->group().rank0_done(key);
    return;
  }
  if (training_goes_on) run.parallel->group().wait_for_rank0(key, "its checkpoint and validation");
  run.meta.sampler_batches = run.sampler->batches_drawn();
  run.last_saved_step = run.meta.step;
}

TrainSummary run_steps_of(Run& run, const TrainOptions& options, const TrainCallbacks& callbacks) {
  const auto start = Clock::now();
  double train_seconds = 0.0, loss_sum = 0.0;
  std::int64_t run_steps = 0, loss_count = 0;
  const int frames_per_step = run.meta.config.train.batch * (run.meta.config.model.context + run.meta.config.train.horizon);
  const double pixels = 3.0 * run.meta.config.model.width * run.meta.config.model.height;
  TrainSummary summary;
  while (true) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (options.steps > 0 && run_steps >= options.steps) break;
    // Rank 0's clock decides for a group, and a group stops together after the step it voted in.
    const bool time_is_up = options.minutes > 0 && elapsed >= options.minutes * 60.0 && run.is_rank0();
    const bool stop_requested = g_stop_requested.load();
    if (!run.parallel && (time_is_up || stop_requested)) {
      summary.interrupted = !time_is_up;
      break;
    }
    const auto step_start = Clock::now();
    if (run.parallel) run.parallel->group().set_step(run.meta.step + 1);
    const StepAgreement step = train_step(run, options, stop_requested, time_is_up);
    const double loss = step.total / pixels;
    if (!std::isfinite(loss)) {
      throw TrainingDiverged(fmt::format("the loss became {} at step {}; training stopped and the last good "
                                         "checkpoint (step {}) is kept in {}", loss, run.meta.step + 1,
                                         run.last_saved_step, options.out_dir.string()));
    }
    train_seconds += std::chrono::duration<double>(Clock::now() - step_start).count();
    ++run.meta.step;
    ++run_steps;
    loss_sum += loss;
    ++loss_count;
    TrainProgress progress;
    progress.step = run.meta.step;
    progress.run_steps = run_steps;
    progress.target_steps = options.steps;
    progress.loss = loss;
    progress.open_loop_mse = step.open_loop_mse;
    progress.kl = step.kl;
    progress.frames_per_s = frames_per_step * run_steps / std::max(train_seconds, 1e-9);
    const double per_step = std::chrono::duration<double>(Clock::now() - start).count() / run_steps;
    progress.eta_s = options.steps > 0 ? per_step * (options.steps - run_steps)
                                       : options.minutes * 60.0 - per_step * run_steps;
    if (callbacks.on_progress) callbacks.on_progress(progress);
    const bool group_stops = run.parallel && (step.stop_requested || step.time_is_up);
    const bool last_step = group_stops || (options.steps > 0 && run_steps >= options.steps);
    if (run.meta.step % run.meta.config.train.eval_every == 0) {
      checkpoint_point(run, options, callbacks, loss_sum / std::max<std::int64_t>(loss_count, 1), !last_step);
      loss_sum = 0.0;
      loss_count = 0;
    }
    if (group_stops) {
      summary.interrupted = step.stop_requested;
      break;
    }
  }
  if (run.last_saved_step != run.meta.step) {
    checkpoint_point(run, options, callbacks, loss_sum / std::max<std::int64_t>(loss_count, 1), false);
  }
  summary.step = run.meta.step;
  summary.parameters = parameter_count(*run.model);
  return summary;
}

}  // namespace

TrainSummary train(const TrainOptions& options, const TrainCallbacks& all_callbacks) {
  check_options(options);
  check_distributed(options.distributed, options.device);
  const bool is_rank0 = options.distributed.rank == 0;
  const TrainCallbacks callbacks = is_rank0 ? all_callbacks : TrainCallbacks{};  // rank 0 alone reports
  const data::Manifest manifest = data::read_manifest(options.data_dir);
  if (!options.resume && options.config_path.empty()) throw UserError("--config is required for a new run");
  const std::string held_out = data::held_out_warning(manifest, options.data_dir);
  if (!held_out.empty() && is_rank0) std::fprintf(stderr, "dreamwalk: warning: %s\n", held_out.c_str());
  configure_default_threads(options.threads);  // before any tensor work
  if (is_rank0) fs::create_directories(options.out_dir);
  Run run = prepare_run(options, manifest);
  if (options.threads == 0 && run.meta.config.train.threads > 0) {
    configure_default_threads(run.meta.config.train.threads);
  }
  run.model->train();
  try {
    if (options.distributed.is_distributed()) join_group(run, options);
    if (run.last_saved_step < 0 && run.is_rank0()) save_checkpoint(options.out_dir, run.meta, run.model, *run.optimizer);
    run.last_saved_step = run.meta.step;
    return run_steps_of(run, options, callbacks);
  } catch (const RankFailure& e) {
    if (run.last_saved_step < 0) throw RankFailure(std::string(e.what()) + "; no checkpoint was written");
    throw RankFailure(fmt::format("{}; the last checkpoint (step {}) in {} is kept and --resume continues it",
                                  e.what(), run.last_saved_step, options.out_dir.string()));
  }
}

TrainSpeed measure_training_speed(const fs::path& config_path, const fs::path& checkpoint, const fs::path& data_dir,
                                  const std::string& device, int steps, int threads,
                                  const DistributedOptions& distributed) {
  check_distributed(distributed, device);
  configure_default_threads(threads);
  Run run;
  run.device = rank_device(device, distributed);
  if (!checkpoint.empty()) {
    const CheckpointFiles files = read_checkpoint_meta(resolve_run_dir(checkpoint));
    run.meta = files.meta;
    run.model = load_weights(files, run.device);
  } else {
    run.meta.config = load_config(config_path);
    run.meta.schema = data_dir.empty() ? data::ActionSchema::navigation(nav::ActionLimits{})
                                       : data::read_manifest(data_dir).schema;
    run.model = WorldModel(run.meta.config.model, run.meta.schema.dimension());
    run.model->to(run.device);
  }
  run.optimizer = make_optimizer(run.model, run.meta.config.train);
  run.model->train();
  const TrainConfig& train = run.meta.config.train;
  const int window = run.meta.config.model.context + train.horizon;
  if (!data_dir.empty()) {
    data::SamplerOptions sampler_options;
    sampler_options.window = window;
    sampler_options.batch_size = train.batch;
    run.sampler = std::make_unique<data::WindowSampler>(data_dir, sampler_options);
  }
  if (distributed.is_distributed()) {
    TrainOptions options;
    options.device = device;
    options.steps = steps;
    options.distributed = distributed;
    join_group(run, options);
  }
  const ModelConfig& m = run.meta.config.model;
  // Synthetic windows: the cost of a step does not depend on what the pixels show.
  WindowTensors synthetic{torch::rand({train.batch, window, 3, m.height, m.width}).to(run.device),
                          (torch::rand({train.batch, window - 1, run.meta.schema.dimension()}) * 2 - 1).to(run.device)};
  const auto one_step = [&] {
    const WindowTensors tensors = run.sampler ? to_tensors(run.sampler->next_batch(), run.device) : synthetic;
    optimisation_step(run, tensors, false, false, false);  // the agreement's item() waits for the device
    ++run.meta.step;
  };
  one_step();  // warm-up: allocations, oneDNN primitive creation
  const double warm_up_all_reduce = run.parallel ? run.parallel->gradient_seconds() : 0.0;
  const int timed = std::max(steps, 1);
  const auto start = Clock::now();
  for (int i = 0; i < timed; ++i) one_step();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  TrainSpeed speed;
  speed.frames_per_s = static_cast<double>(train.batch) * window * timed / seconds;
  speed.batch = train.batch;
  speed.parameters = parameter_count(*run.model);
  speed.ranks = distributed.world_size;
  speed.step_ms = 1000.0 * seconds / timed;
  if (run.parallel) {
    speed.all_reduce_ms = 1000.0 * (run.parallel->gradient_seconds() - warm_up_all_reduce) / timed;
    speed.all_reduce_bytes = run.parallel->gradient_bytes_per_step();
  }
  return speed;
}

}  // namespace dw::model
