// Dataset generation from the ground-truth world: seeded episodes driven by a collection policy
// (or a mix of policies, one per episode), split into train/val/test (training worlds) and
// test_unseen (held-out world seeds), written as a whole into a temporary sibling folder and
// renamed into place, so a killed run leaves no dataset that looks complete. Output bytes do not
// depend on the thread count.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "datasets/episode.h"
#include "nav/world.h"

namespace dw::data {

struct GenerateOptions {
  std::uint64_t world_seed = 0;  // training worlds are world_seed .. world_seed + worlds - 1
  int worlds = 1;
  int episodes = 100;            // train episodes
  int steps = 200;               // actions per episode (frames = steps + 1)
  int size = 64;                 // frame size in pixels (square)
  // One collection policy, or a comma list mixed by episode (see policy_list / plan_dataset).
  std::string policy = "explore";
  int val_episodes = -1;         // -1: 5% of episodes, at least 1
  int test_episodes = -1;        // -1: 5% of episodes, at least 1
  int unseen_worlds = 2;         // held-out seeds world_seed + 1000 + i
  int unseen_episodes = -1;      // -1: the test episode count
  int threads = 2;
  bool force = false;            // replace an existing non-empty output folder
  nav::WorldSettings settings;
};

// One episode to generate: where it goes and the seeds that fully determine it.
struct PlannedEpisode {
  std::string split;
  std::string name;
  std::uint64_t world_seed = 0;
  std::uint64_t episode_seed = 0;  // drives the spawn pose and the policy
  std::string policy;              // the one that drives it, recorded in episode.json
};

// Resolves the defaults and checks the options (UserError naming the flag).
GenerateOptions resolve_options(GenerateOptions options);
// The names in options.policy ("explore,keys" -> {"explore", "keys"}); a name may repeat to
// weight it. UserError naming --policy for an empty or unknown name.
std::vector<std::string> policy_list(const GenerateOptions& options);
// Episode k of a split, in world k mod W of that split's W worlds, is driven by policy
// (k div W) mod P of the P listed: every world gets every policy in turn, and a single policy
// plans exactly as before the mix existed.
std::vector<PlannedEpisode> plan_dataset(const GenerateOptions& resolved);
Episode generate_episode(const nav::World& world, const PlannedEpisode& plan, const GenerateOptions& options);

// Writes the whole dataset to `out`. `progress(done, total)` is called (serialised) as episodes
// finish. Throws UserError for bad options or an existing non-empty `out` without `force`.
void generate_dataset(const GenerateOptions& options, const std::filesystem::path& out,
                      const std::function<void(int done, int total)>& progress);

}  // namespace dw::data
