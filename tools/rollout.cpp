// `dreamwalk rollout`: headless imagined rollouts from start images, a dataset episode or the
// ground-truth world driven by a policy; writes PNG frames, a GIF, an MP4, comparison strips or a
// whole synthetic dataset.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "model/rollout_job.h"
#include "model/simulator.h"
#include "model/threads.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

struct RolloutCommandOptions {
  std::string checkpoint;
  std::string device = "cpu";
  std::vector<std::string> start_images;
  std::string actions;
  std::string out;
  int threads = 0;
  bool no_memory = false;
  bool no_view_map = false;
  bool no_start_room = false;
  int episodes = 0;
  model::RolloutJob job;
};

void run_rollout(RolloutCommandOptions& options) {
  model::configure_default_threads(options.threads);
  model::RolloutJob& job = options.job;
  for (const auto& image : options.start_images) job.source.start_images.emplace_back(image);
  job.source.actions_csv = options.actions;
  job.out = options.out;
  if (job.as_dataset && options.episodes > 0) job.source.trajectories = options.episodes;
  // Several samples from one start only differ when sampling: default to temperature 1 then.
  if (job.samples > 1 && job.temperature == 0.0f) job.temperature = 1.0f;
  auto simulator = model::Simulator::load(options.checkpoint, options.device);
  model::set_memories(*simulator, options.no_memory, options.no_view_map, options.no_start_room);
  ProgressLine progress("rollout", job.source.steps, "steps");
  const model::RolloutSummary summary =
      model::run_rollout_job(*simulator, job, [&](int step, int) { progress.update(step); });
  progress.finish();
  fmt::print("{} trajectories x {} steps -> {}/\n", summary.trajectories, summary.steps, options.out);
  for (const auto& file : summary.files) fmt::print("  {}\n", file);
  if (!summary.psnr_per_step.empty()) {
    fmt::print("PSNR vs truth: step 1 {:.2f} dB, step {} {:.2f} dB\n", summary.psnr_per_step.front(),
               summary.psnr_per_step.size(), summary.psnr_per_step.back());
  }
}

}  // namespace

void add_rollout_command(CLI::App& app) {
  auto options = std::make_shared<RolloutCommandOptions>();
  auto& job = options->job;
  CLI::App* command = app.add_subcommand("rollout", "Imagine a trajectory headless: frames, GIF, MP4, comparisons or a dataset");
  command->add_option("--checkpoint", options->checkpoint, "Run folder or its model.json")->required();
  command->add_option("--start", options->start_images,
                      "Start image(s), comma separated, 1..context; other sizes are resized with a warning")
      ->delimiter(',');
  command->add_option("--start-episode", job.source.start_episode,
                      "Start from a dataset episode DATA:SPLIT:INDEX (its actions drive the dream unless --actions)");
  command->add_option("--actions", options->actions, "CSV: header = the model's action names, one row per step, values in [-1,1]");
  command->add_option("--policy", job.source.policy, "Drive with a nav policy (random, avoid, explore or keys) walking --world-seed");
  command->add_option("--world-seed", job.source.world_seed, "World the policy walks in (also the start frames without --start)")->capture_default_str();
  command->add_option("--steps", job.source.steps, "Frames to imagine")->capture_default_str();
  command->add_option("--out", options->out, "Output folder (written atomically)")->required();
  command->add_option("--batch", job.source.trajectories, "Trajectories in one forward pass (consecutive episodes / policy seeds)")->capture_default_str();
  command->add_option("--samples", job.samples, "Stochastic futures per start (temperature defaults to 1 when > 1)")->capture_default_str();
  command->add_option("--temperature", job.temperature, "0 = mean rollout; 1 = sample the prior")->capture_default_str();
  command->add_option("--seed", job.source.seed, "Seed for sampling and policies")->capture_default_str();
  command->add_option("--scale", job.scale, "Upsample GIF/MP4 by this factor for viewing")->capture_default_str();
  command->add_option("--fps", job.fps, "Frames per second of GIF/MP4")->capture_default_str();
  command->add_flag("--compare", job.compare, "Also write truth | prediction | error strips (compare.png, compare.gif)");
  command->add_flag("--as-dataset", job.as_dataset, "Write the dreams as an episode-format dataset instead of media");
  command->add_option("--episodes", options->episodes, "With --as-dataset: number of dreamed episodes");
  command->add_flag("--force", job.force, "Replace an existing --out folder");
  command->add_flag("--no-memory", options->no_memory,
                    "Roll out the model alone: without the place memory (which recalls the state of a pose "
                    "already visited), the walls the start frames showed and the view map");
  command->add_flag("--no-view-map", options->no_view_map,
                    "Roll out without the run's view map (views of the training walks recalled by pose)");
  command->add_flag("--no-start-room", options->no_start_room,
                    "Roll out without the start room (in a world the view map does not know, the room the start "
                    "frames showed, drawn from where the walk stands)");
  command->add_option("--device", options->device, "cpu or cuda")->capture_default_str();
  command->add_option("--threads", options->threads, "CPU threads (0 = measured default)")->capture_default_str();
  command->callback([options] { run_rollout(*options); });
}

}  // namespace dw::tools
