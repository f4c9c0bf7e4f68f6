// `dreamwalk train`: parse flags, run model::train with a progress line; Ctrl-C finishes the
// current step, saves a checkpoint and exits cleanly; a NaN/Inf loss exits 1 with the message.
// A new run without --config uses configs/small.yaml from the current folder. With --nproc N it
// launches N ranks of itself (tools/launch.h); under torchrun-style variables it is one rank.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "model/trainer.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/launch.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

extern "C" void on_interrupt(int) { model::request_stop(); }

std::string eta_text(double seconds) {
  if (seconds < 0) return "";
  const long total = static_cast<long>(seconds);
  return fmt::format(", ETA {}:{:02d}:{:02d}", total / 3600, (total / 60) % 60, total % 60);
}

// Relative to the working directory, like every other path on the command line: the README's
// commands run from the source checkout. The binary knows no checkout of its own to look in.
const char* const kDefaultConfig = "configs/small.yaml";

void use_default_config(model::TrainOptions& options) {
  if (options.resume || !options.config_path.empty()) return;  // a resumed run has its config
  std::error_code error;
  if (!std::filesystem::is_regular_file(kDefaultConfig, error))
    throw UserError(std::string("--config not given and ") + kDefaultConfig +
                    " is not in the current folder (run from the source checkout or pass --config FILE)");
  options.config_path = kDefaultConfig;
  fmt::print("using {} (no --config given)\n", kDefaultConfig);
  std::fflush(stdout);  // before the progress line on stderr, also when both go to one pipe
}

// The flags that only a group uses; the rest of the group's settings come from the environment.
struct GroupFlags {
  int nproc = 1;
  std::string backend;
  double timeout_s = 60.0;
};

void run_train(model::TrainOptions options, const GroupFlags& group) {
  if (should_launch(group.nproc, options.threads)) std::exit(launch_local_ranks(group.nproc, group.timeout_s));
  options.distributed = model::distributed_from_environment();
  options.distributed.backend = group.backend;
  options.distributed.timeout_s = group.timeout_s;
  const bool is_rank0 = options.distributed.rank == 0;
  if (is_rank0) use_default_config(options);
  else if (!options.resume && options.config_path.empty()) options.config_path = kDefaultConfig;
  ProgressLine progress("train", options.steps, "steps");
  model::TrainCallbacks callbacks;
  callbacks.on_progress = [&](const model::TrainProgress& p) {
    progress.update(p.run_steps, fmt::format("step {}, loss {:.5f}, mse {:.5f}, kl {:.1f}, {:.0f} frames/s{}", p.step,
                                             p.loss, p.open_loop_mse, p.kl, p.frames_per_s,
                                             options.steps > 0 ? "" : eta_text(p.eta_s)));
  };
  callbacks.on_message = [](const std::string& line) { std::fprintf(stderr, "\n%s\n", line.c_str()); };
  model::clear_stop_request();
  auto previous = std::signal(SIGINT, on_interrupt);
  model::TrainSummary summary;
  try {
    summary = model::train(options, callbacks);
  } catch (const model::TrainingDiverged& e) {
    std::signal(SIGINT, previous);
    if (is_rank0) std::fprintf(stderr, "\ndreamwalk: %s\n", e.what());  // every rank of a group knows it
    std::exit(1);  // a failure, not bad input (exit 2)
  } catch (const model::RankFailure& e) {
    std::signal(SIGINT, previous);
    std::fprintf(stderr, "\ndreamwalk: %s\n", e.what());
    std::exit(1);
  } catch (...) {
    std::signal(SIGINT, previous);
    throw;
  }
  std::signal(SIGINT, previous);
  if (!is_rank0) return;  // rank 0 alone reports
  progress.finish(fmt::format("step {}", summary.step));
  fmt::print("{} at step {}: {} ({} parameters)\n", summary.interrupted ? "interrupted, saved" : "done",
             summary.step, options.out_dir.string(), summary.parameters);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto options = std::make_shared<model::TrainOptions>();
  auto group = std::make_shared<GroupFlags>();
  CLI::App* command = app.add_subcommand("train", "Train the world model on a dataset");
  command->add_option("--data", options->data_dir, "Dataset folder (from gen or import)")->required();
  command->add_option("--config", options->config_path,
                      "Model config YAML (default for a new run: configs/small.yaml in the current folder); "
                      "a resumed run uses the config in its checkpoint");
  command->add_option("--out", options->out_dir, "Run folder: checkpoints, metrics.jsonl, preview.png")->required();
  command->add_option("--device", options->device, "cpu or cuda")->capture_default_str();
  command->add_option("--steps", options->steps, "Optimisation steps to run now (added to a resumed run's)");
  command->add_option("--minutes", options->minutes, "Wall-clock budget of this invocation");
  command->add_option("--seed", options->seed, "Seed of the initial weights, batches and noise")->capture_default_str();
  command->add_flag("--resume", options->resume, "Continue the run in --out exactly where it stopped");
  command->add_option("--threads", options->threads, "CPU threads (0 = config, else 1: measured fastest on a shared 2-core machine)")
      ->capture_default_str();
  command->add_option("--batch", options->batch, "Batch size (0 = config)");
  command->add_option("--eval-every", options->eval_every, "Checkpoint + validation every K steps (0 = config)");
  command->add_option("--nproc", group->nproc,
                      "Data parallel: start N local ranks (each --threads threads) over c10d and wait for them")
      ->capture_default_str();
  command->add_option("--backend", group->backend, "c10d backend: gloo (CPU) or nccl (CUDA); default by --device");
  command->add_option("--dist-timeout", group->timeout_s,
                      "Seconds a rank waits for the others (start-up, each collective) before stopping")
      ->capture_default_str();
  command->callback([options, group] { run_train(*options, *group); });
}

}  // namespace dw::tools
