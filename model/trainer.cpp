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
  std::int64_t last_saved_step = -1;
};

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
  run.device = choose_device(options.device);
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

// One optimisation step of training step `step` on `tensors`: the loss through the engine, then
// (unless it is NaN/Inf, which the caller reports) backward, gradient clipping and Adam. Training
// and `bench train` both call it, so the bench times the real step.
LossTerms optimisation_step(WorldModel& model, torch::optim::Adam& optimizer, const WindowTensors& tensors,
                            const CheckpointMeta& meta, bool poison_loss) {
  const TrainConfig& train = meta.config.train;
  const std::uint64_t seed = nav::mix_seed(meta.seed, static_cast<std::uint64_t>(meta.step));
  LossTerms terms;
  {
    AutocastScope autocast(tensors.frames.is_cuda());
    terms = sequence_loss(model, tensors.frames, tensors.actions, train, observed_frames(meta.config, meta.seed, meta.step),
                          seed);
  }
  if (poison_loss) terms.total = terms.total * std::nan("");
  if (!std::isfinite(terms.total.item<double>())) return terms;
  optimizer.zero_grad();
  terms.total.backward();
  torch::nn::utils::clip_grad_norm_(model->parameters(), train.grad_clip);
  optimizer.step();
  return terms;
}

LossTerms train_step(Run& run, const TrainOptions& options) {
  const WindowTensors tensors = to_tensors(run.sampler->next_batch(), run.device);
  return optimisation_step(run.model, *run.optimizer, tensors, run.meta, run.meta.step == options.poison_loss_at_step);
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

TrainSummary train(const TrainOptions& options, const TrainCallbacks& callbacks) {
  check_options(options);
  const data::Manifest manifest = data::read_manifest(options.data_dir);
  if (!options.resume && options.config_path.empty()) throw UserError("--config is required for a new run");
  const std::string held_out = data::held_out_warning(manifest, options.data_dir);
  if (!held_out.empty()) std::fprintf(stderr, "dreamwalk: warning: %s\n", held_out.c_str());
  configure_default_threads(options.threads);  // before any tensor work
  fs::create_directories(options.out_dir);
  Run run = prepare_run(options, manifest);
  if (options.threads == 0 && run.meta.config.train.threads > 0) {
    configure_default_threads(run.meta.config.train.threads);
  }
  run.model->train();
  if (run.last_saved_step < 0) save_checkpoint(options.out_dir, run.meta, run.model, *run.optimizer);
  run.last_saved_step = run.meta.step;

  const auto start = Clock::now();
  double train_seconds = 0.0, loss_sum = 0.0;
  std::int64_t run_steps = 0, loss_count = 0;
  const int frames_per_step = run.meta.config.train.batch * (run.meta.config.model.context + run.meta.config.train.horizon);
  const double pixels = 3.0 * run.meta.config.model.width * run.meta.config.model.height;
  TrainSummary summary;
  while (true) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if ((options.steps > 0 && run_steps >= options.steps) ||
        (options.minutes > 0 && elapsed >= options.minutes * 60.0)) break;
    if (g_stop_requested.load()) {
      summary.interrupted = true;
      break;
    }
    const auto step_start = Clock::now();
    const LossTerms terms = train_step(run, options);
    const double loss = terms.total.item<double>() / pixels;
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
    progress.open_loop_mse = terms.open_loop_mse.item<double>();
    progress.kl = terms.kl.item<double>();
    progress.frames_per_s = frames_per_step * run_steps / std::max(train_seconds, 1e-9);
    const double per_step = std::chrono::duration<double>(Clock::now() - start).count() / run_steps;
    progress.eta_s = options.steps > 0 ? per_step * (options.steps - run_steps)
                                       : options.minutes * 60.0 - per_step * run_steps;
    if (callbacks.on_progress) callbacks.on_progress(progress);
    if (run.meta.step % run.meta.config.train.eval_every == 0) {
      save_and_validate(run, options, callbacks, loss_sum / std::max<std::int64_t>(loss_count, 1));
      loss_sum = 0.0;
      loss_count = 0;
    }
  }
  if (run.last_saved_step != run.meta.step) {
    save_and_validate(run, options, callbacks, loss_sum / std::max<std::int64_t>(loss_count, 1));
  }
  summary.step = run.meta.step;
  summary.parameters = parameter_count(*run.model);
  return summary;
}

TrainSpeed measure_training_speed(const fs::path& config_path, const fs::path& checkpoint,
                                  const fs::path& data_dir, const std::string& device, int steps, int threads) {
  configure_default_threads(threads);
  Run run;
  run.device = choose_device(device);
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
  std::unique_ptr<data::WindowSampler> sampler;
  if (!data_dir.empty()) {
    data::SamplerOptions sampler_options;
    sampler_options.window = window;
    sampler_options.batch_size = train.batch;
    sampler = std::make_unique<data::WindowSampler>(data_dir, sampler_options);
  }
  const ModelConfig& m = run.meta.config.model;
  // Synthetic windows: the cost of a step does not depend on what the pixels show.
  WindowTensors synthetic{torch::rand({train.batch, window, 3, m.height, m.width}).to(run.device),
                          (torch::rand({train.batch, window - 1, run.meta.schema.dimension()}) * 2 - 1).to(run.device)};
  const auto one_step = [&] {
    const WindowTensors tensors = sampler ? to_tensors(sampler->next_batch(), run.device) : synthetic;
    optimisation_step(run.model, *run.optimizer, tensors, run.meta, false);  // item() waits for the device
    ++run.meta.step;
  };
  one_step();  // warm-up: allocations, oneDNN primitive creation
  const auto start = Clock::now();
  for (int i = 0; i < std::max(steps, 1); ++i) one_step();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return {static_cast<double>(train.batch) * window * std::max(steps, 1) / seconds, train.batch,
          parameter_count(*run.model)};
}

}  // namespace dw::model
