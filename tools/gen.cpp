// `dreamwalk gen`: generate a dataset from the ground-truth world (train/val/test in the training
// worlds, test_unseen in held-out world seeds), with a progress line.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "datasets/generate.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

struct GenFlags {
  data::GenerateOptions options;
  std::string out;
};

void run_gen(const GenFlags& flags) {
  const data::GenerateOptions resolved = data::resolve_options(flags.options);
  const auto plan = data::plan_dataset(resolved);
  ProgressLine progress("gen", static_cast<std::int64_t>(plan.size()), "episodes");
  data::generate_dataset(resolved, flags.out, [&](int done, int) { progress.update(done); });
  progress.finish();
  const int frames_per_episode = resolved.steps + 1;
  fmt::print("wrote {}: train {}, val {}, test {}, test_unseen {} episodes of {} frames at {}x{} (policy {})\n",
             flags.out, resolved.episodes, resolved.val_episodes, resolved.test_episodes,
             resolved.unseen_episodes, frames_per_episode, resolved.size, resolved.size, resolved.policy);
}

}  // namespace

void add_gen_command(CLI::App& app) {
  auto flags = std::make_shared<GenFlags>();
  auto& o = flags->options;
  CLI::App* command = app.add_subcommand("gen", "Generate a dataset of first-person episodes from seeded worlds");
  command->add_option("--out", flags->out, "Output dataset folder (written whole, then renamed into place)")->required();
  command->add_option("--world-seed", o.world_seed, "First training world seed")->capture_default_str();
  command->add_option("--worlds", o.worlds, "Training worlds: seeds S .. S+W-1")->capture_default_str();
  command->add_option("--episodes", o.episodes, "Training episodes")->capture_default_str();
  command->add_option("--steps", o.steps, "Actions per episode (frames = steps + 1)")->capture_default_str();
  command->add_option("--size", o.size, "Frame size in pixels, 32..512")->capture_default_str();
  command->add_option("--policy", o.policy,
                      "Collection policy: random, avoid, explore or keys; a comma list (explore,keys) mixes them "
                      "by episode: episode k of a split, in world k mod W, uses policy (k div W) mod P, so every "
                      "world gets each policy in turn (repeat a name to weight it)")
      ->capture_default_str();
  command->add_option("--val-episodes", o.val_episodes,
                      "Validation episodes in the training worlds (default 5% of --episodes, at least 1)");
  command->add_option("--test-episodes", o.test_episodes,
                      "Held-out trajectories in the training worlds (default 5% of --episodes, at least 1)");
  command->add_option("--unseen-worlds", o.unseen_worlds, "Held-out world seeds S+1000 .. for test_unseen")
      ->capture_default_str();
  command->add_option("--unseen-episodes", o.unseen_episodes, "Episodes in the held-out worlds (default = test episodes)");
  command->add_option("--threads", o.threads, "Episodes generated in parallel (output does not depend on it)")
      ->capture_default_str();
  command->add_flag("--force", o.force, "Replace a non-empty --out folder");
  command->callback([flags] { run_gen(*flags); });
}

}  // namespace dw::tools
