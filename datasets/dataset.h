// A dataset: a folder of episode folders plus manifest.json listing the splits train, val, test
// (held-out trajectories in the training worlds) and test_unseen (held-out world seeds).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "datasets/episode.h"

namespace dw::data {

const std::vector<std::string>& split_names();  // train, val, test, test_unseen

struct Manifest {
  int format_version = 1;
  int width = 0;
  int height = 0;
  ActionSchema schema;
  std::map<std::string, std::vector<std::string>> splits;  // split -> episode folder names
};

Manifest read_manifest(const std::filesystem::path& dataset_dir);  // UserError if not a dataset
void write_manifest(const Manifest& manifest, const std::filesystem::path& dataset_dir);
// Throws UserError for a split name the manifest does not list or that is unknown.
const std::vector<std::string>& split_episodes(const Manifest& manifest, const std::string& split,
                                               const std::filesystem::path& dataset_dir);

// What a dataset without held-out episodes (a one-recording import, `rollout --as-dataset`)
// cannot do: training cannot validate without `val`, eval has nothing to score without `test`.
// One sentence naming `dataset_dir`, or empty when both splits have episodes.
std::string held_out_warning(const Manifest& manifest, const std::filesystem::path& dataset_dir);

// Full check of a dataset: manifest, every episode, sizes consistent. Returns the problems found
// (empty = valid), each one line naming the file.
std::vector<std::string> validate_dataset(const std::filesystem::path& dataset_dir);

// validate_dataset plus the counts `dreamwalk validate` prints on success.
struct ValidationReport {
  std::vector<std::string> problems;
  int episodes = 0;
  std::int64_t frames = 0;
  std::map<std::string, int> split_episode_counts;  // only the splits the manifest lists
};
// `threads` episodes are decoded in parallel; the report does not depend on it.
ValidationReport validate_dataset_report(const std::filesystem::path& dataset_dir, int threads = 1);

}  // namespace dw::data
