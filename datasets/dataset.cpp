#include "datasets/dataset.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <system_error>
#include <thread>

#include "datasets/json_file.h"
#include "datasets/meta_json.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::data {

using json_file::Json;
namespace fs = std::filesystem;

namespace {

std::string known_splits_text() {
  std::string text;
  for (const auto& name : split_names()) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// Episode names are plain folder names inside the dataset: no paths, no hidden names.
bool is_plain_folder_name(const std::string& name) {
  return !name.empty() && name.front() != '.' && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos;
}

void read_splits(const Json& value, const fs::path& path, Manifest& manifest) {
  json_file::as_object(value, "splits", path);
  std::set<std::string> seen;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const auto& known = split_names();
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      throw UserError(path.string() + ": unknown split \"" + it.key() + "\" (known: " + known_splits_text() + ")");
    auto& episodes = manifest.splits[it.key()];
    const std::string field = "splits." + it.key();
    for (const auto& element : json_file::as_array(it.value(), field, path)) {
      const std::string name = json_file::as_string(element, field, path);
      if (!is_plain_folder_name(name))
        throw UserError(path.string() + ": \"" + field + "\" lists \"" + name +
                        "\", which is not a plain folder name inside the dataset");
      if (!seen.insert(name).second)
        throw UserError(path.string() + ": episode \"" + name + "\" is listed twice (each episode belongs to one split)");
      episodes.push_back(name);
    }
  }
}

std::string names_text(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return "[" + text + "]";
}

// The manifest-level consistency of one episode that read_episode cannot know about.
std::vector<std::string> mismatches_with_manifest(const EpisodeCheck& check, const Manifest& manifest) {
  std::vector<std::string> problems;
  const Episode& episode = check.episode;
  if (!episode.frames.empty() && (episode.meta.width != manifest.width || episode.meta.height != manifest.height))
    problems.push_back("frames are " + std::to_string(episode.meta.width) + "x" + std::to_string(episode.meta.height) +
                       " but manifest.json says " + std::to_string(manifest.width) + "x" +
                       std::to_string(manifest.height));
  if (check.has_meta && episode.meta.schema.names != manifest.schema.names)
    problems.push_back("action names are " + names_text(episode.meta.schema.names) + " but manifest.json's are " +
                       names_text(manifest.schema.names) + " (they must match, in order)");
  return problems;
}

}  // namespace

const std::vector<std::string>& split_names() {
  static const std::vector<std::string> names{"train", "val", "test", "test_unseen"};
  return names;
}

std::string held_out_warning(const Manifest& manifest, const fs::path& dataset_dir) {
  auto is_empty = [&](const std::string& split) {
    const auto it = manifest.splits.find(split);
    return it == manifest.splits.end() || it->second.empty();
  };
  std::vector<std::string> lacks;
  if (is_empty("val")) lacks.push_back("no val episodes, so training cannot validate (no val metrics or preview)");
  if (is_empty("test") && is_empty("test_unseen"))
    lacks.push_back("no test episodes, so `dreamwalk eval` has nothing held out to score");
  if (lacks.empty()) return "";
  std::string text = dataset_dir.string() + " has " + lacks.front();
  if (lacks.size() > 1) text += ", and " + lacks.back();
  return text;
}

Manifest read_manifest(const fs::path& dataset_dir) {
  std::error_code error;
  if (!fs::exists(dataset_dir, error)) throw UserError(dataset_dir.string() + ": no such folder");
  if (!fs::is_directory(dataset_dir, error)) throw UserError(dataset_dir.string() + ": not a folder");
  const fs::path path = dataset_dir / "manifest.json";
  if (!fs::exists(path, error))
    throw UserError(dataset_dir.string() +
                    ": not a dataset (no manifest.json; make one with `dreamwalk gen` or see the README)");
  const Json doc = json_file::parse(path);
  Manifest manifest;
  manifest.format_version = json_file::as_int(json_file::member(doc, "format_version", path), "format_version", path);
  if (manifest.format_version != kFormatVersion)
    throw UserError(path.string() + ": format_version " + std::to_string(manifest.format_version) +
                    " is not supported (this build reads version " + std::to_string(kFormatVersion) + ")");
  manifest.width = json_file::as_int(json_file::member(doc, "width", path), "width", path);
  manifest.height = json_file::as_int(json_file::member(doc, "height", path), "height", path);
  if (manifest.width <= 0 || manifest.height <= 0)
    throw UserError(path.string() + ": \"width\" and \"height\" must be positive");
  if (const Json* schema = json_file::optional_member(doc, "action_schema", path))
    manifest.schema = schema_from_json(*schema, path);
  read_splits(json_file::member(doc, "splits", path), path, manifest);
  return manifest;
}

void write_manifest(const Manifest& manifest, const fs::path& dataset_dir) {
  Json splits = Json::object();
  for (const auto& name : split_names()) {
    const auto it = manifest.splits.find(name);
    if (it != manifest.splits.end()) splits[name] = it->second;
  }
  const Json doc{{"format_version", manifest.format_version}, {"width", manifest.width},
                 {"height", manifest.height}, {"action_schema", schema_to_json(manifest.schema)},
                 {"splits", splits}};
  write_file_atomically(dataset_dir / "manifest.json", json_file::dump(doc));
}

const std::vector<std::string>& split_episodes(const Manifest& manifest, const std::string& split,
                                               const fs::path& dataset_dir) {
  const auto& known = split_names();
  if (std::find(known.begin(), known.end(), split) == known.end())
    throw UserError("unknown split \"" + split + "\" (known: " + known_splits_text() + ")");
  const auto it = manifest.splits.find(split);
  if (it == manifest.splits.end()) {
    std::string listed;
    for (const auto& entry : manifest.splits) listed += (listed.empty() ? "" : ", ") + entry.first;
    throw UserError((dataset_dir / "manifest.json").string() + ": has no split \"" + split +
                    "\" (it lists: " + (listed.empty() ? "none" : listed) + ")");
  }
  return it->second;
}

ValidationReport validate_dataset_report(const fs::path& dataset_dir, int threads) {
  ValidationReport report;
  Manifest manifest;
  try {
    manifest = read_manifest(dataset_dir);
  } catch (const UserError& error) {
    report.problems.push_back(error.what());
    return report;
  }
  std::vector<std::string> names;
  for (const auto& entry : manifest.splits) {
    report.split_episode_counts[entry.first] = static_cast<int>(entry.second.size());
    names.insert(names.end(), entry.second.begin(), entry.second.end());
  }
  // Each episode's result lands in its own slot, so the report is the same for any thread count.
  std::vector<std::vector<std::string>> problems(names.size());
  std::vector<std::int64_t> frames(names.size(), 0);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < names.size(); i = next++) {
      try {
        const EpisodeCheck check = check_episode_folder(dataset_dir / names[i]);
        problems[i] = check.problems;
        frames[i] = static_cast<std::int64_t>(check.episode.frames.size());
        const fs::path json = dataset_dir / names[i] / "episode.json";
        for (const auto& mismatch : mismatches_with_manifest(check, manifest))
          problems[i].push_back(json.string() + ": " + mismatch);
      } catch (const std::exception& error) {  // a filesystem error naming the path
        problems[i].push_back(error.what());
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  for (std::size_t i = 0; i < names.size(); ++i) {
    report.problems.insert(report.problems.end(), problems[i].begin(), problems[i].end());
    report.frames += frames[i];
  }
  report.episodes = static_cast<int>(names.size());
  return report;
}

std::vector<std::string> validate_dataset(const fs::path& dataset_dir) {
  return validate_dataset_report(dataset_dir).problems;
}

}  // namespace dw::data
