#include "datasets/episode.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <system_error>

#include "datasets/json_file.h"
#include "datasets/meta_json.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::data {

using json_file::Json;
namespace fs = std::filesystem;

namespace {

std::string size_text(int width, int height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

// Every bad action row, one line each (check_episode throws the first, validate lists them).
std::vector<std::string> action_problems(const std::vector<std::vector<float>>& actions, int dimension) {
  std::vector<std::string> problems;
  for (std::size_t row = 0; row < actions.size(); ++row) {
    if (static_cast<int>(actions[row].size()) != dimension) {
      problems.push_back("actions[" + std::to_string(row) + "] has " + std::to_string(actions[row].size()) +
                         " values but the action schema has " + std::to_string(dimension));
      continue;
    }
    for (std::size_t i = 0; i < actions[row].size(); ++i) {
      const float value = actions[row][i];
      const std::string where = "actions[" + std::to_string(row) + "][" + std::to_string(i) + "]";
      if (std::isnan(value)) problems.push_back(where + " is NaN");
      else if (!(value >= -1.0f && value <= 1.0f))
        problems.push_back(where + " = " + json_file::number(value).dump() + " is outside [-1, 1]");
    }
  }
  return problems;
}

// Count rules shared by the in-memory check and the reader (which checks before decoding PNGs).
std::string count_problem(int frame_count, int dimension, std::size_t action_rows, std::size_t poses) {
  if (frame_count < 1) return "has no frames";
  if (dimension == 0 && action_rows != 0)
    return "has " + std::to_string(action_rows) +
           " action rows but its action schema has no names (dimension 0 = plain video)";
  if (dimension > 0 && static_cast<int>(action_rows) != frame_count - 1)
    return "has " + std::to_string(action_rows) + " actions but " + std::to_string(frame_count) +
           " frames (it needs frames - 1 = " + std::to_string(frame_count - 1) + " actions)";
  if (poses != 0 && static_cast<int>(poses) != frame_count)
    return "has " + std::to_string(poses) + " poses but " + std::to_string(frame_count) +
           " frames (poses must be one per frame, or absent)";
  return "";
}

// Frames are 000000.png, 000001.png, ...; with no frame_count in episode.json the highest index
// says how many there should be (a gap is reported as a missing frame when loading).
int count_frame_files(const fs::path& frames_dir, std::vector<std::string>& problems) {
  std::error_code error;
  if (!fs::is_directory(frames_dir, error)) {
    problems.push_back(frames_dir.string() + ": missing (an episode keeps its frames in frames/000000.png, ...)");
    return 0;
  }
  int count = 0;
  for (const auto& entry : fs::directory_iterator(frames_dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".png") continue;
    const std::string stem = entry.path().stem().string();
    const bool numeric = stem.size() >= 6 && stem.size() <= 9 &&
                         std::all_of(stem.begin(), stem.end(), [](char c) { return std::isdigit(c) != 0; });
    if (!numeric || frame_file_name(std::stoi(stem)) != name) {
      problems.push_back((frames_dir / name).string() +
                         ": unexpected frame name (frames are named 000000.png, 000001.png, ...)");
      continue;
    }
    count = std::max(count, std::stoi(stem) + 1);
  }
  return count;
}

std::vector<std::vector<float>> actions_from_json(const Json* value, const fs::path& path) {
  std::vector<std::vector<float>> actions;
  if (!value || value->is_null()) return actions;
  for (const auto& row : json_file::as_array(*value, "actions", path)) {
    const std::string where = "actions[" + std::to_string(actions.size()) + "]";
    std::vector<float> out;
    for (const auto& element : json_file::as_array(row, where, path)) {
      const std::string field = where + "[" + std::to_string(out.size()) + "]";
      if (element.is_null())
        throw UserError(path.string() + ": \"" + field + "\" is null, not a number (a NaN action?)");
      out.push_back(json_file::as_float(element, field, path));
    }
    actions.push_back(std::move(out));
  }
  return actions;
}

std::vector<nav::Pose> poses_from_json(const Json* value, const fs::path& path) {
  std::vector<nav::Pose> poses;
  if (!value || value->is_null()) return poses;
  for (const auto& row : json_file::as_array(*value, "poses", path)) {
    const std::string where = "poses[" + std::to_string(poses.size()) + "]";
    if (!row.is_array() || row.size() != 3)
      throw UserError(path.string() + ": \"" + where + "\" must be [x, y, yaw]");
    poses.push_back({json_file::as_float(row[0], where, path), json_file::as_float(row[1], where, path),
                     json_file::as_float(row[2], where, path)});
  }
  return poses;
}

// Loads frames 0..frame_count-1, listing each missing, unreadable or odd-sized one. `expected`
// says where the count came from, for the missing-frame line. Stops after a run of failures
// (a typo'd frame_count must not try a million files).
std::vector<Image> load_frames(const fs::path& dir, int frame_count, const std::string& expected,
                               std::vector<std::string>& problems) {
  constexpr int kMaxFailures = 20;
  std::vector<Image> frames;
  frames.reserve(static_cast<std::size_t>(std::min(frame_count, 100000)));
  int failures = 0;
  for (int i = 0; i < frame_count && failures < kMaxFailures; ++i) {
    const fs::path file = dir / "frames" / frame_file_name(i);
    std::error_code error;
    if (!fs::exists(file, error)) {
      problems.push_back(file.string() + ": missing (" + expected + ")");
      ++failures;
      continue;
    }
    try {
      Image frame = load_image(file);
      if (!frames.empty() && !frame.same_size(frames.front())) {
        problems.push_back(file.string() + ": frame is " + size_text(frame.width, frame.height) + " but frames/" +
                           frame_file_name(0) + " is " + size_text(frames.front().width, frames.front().height) +
                           " (all frames of an episode must have one size)");
        ++failures;
        continue;
      }
      frames.push_back(std::move(frame));
    } catch (const UserError& e) {
      problems.push_back(e.what());
      ++failures;
    }
  }
  if (failures == kMaxFailures) problems.push_back((dir / "frames").string() + ": further frames not checked");
  return frames;
}

// Cuts a long list of one kind (a wrong scale puts every action out of range) to a few lines
// and a count, so the other kinds stay visible.
void append_limited(std::vector<std::string>& problems, const std::string& where,
                    const std::vector<std::string>& found, const std::string& kind) {
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < found.size() && i < kShown; ++i) problems.push_back(where + ": " + found[i]);
  if (found.size() > kShown)
    problems.push_back(where + ": ... and " + std::to_string(found.size() - kShown) + " more " + kind);
}

Json episode_to_json(const Episode& episode) {
  EpisodeMeta meta = episode.meta;
  meta.width = episode.frames.front().width;
  meta.height = episode.frames.front().height;
  Json doc{{"format_version", kFormatVersion}, {"meta", meta_to_json(meta)},
           {"frame_count", episode.frames.size()}};
  Json actions = Json::array();
  for (const auto& row : episode.actions) {
    Json out = Json::array();
    for (float value : row) out.push_back(json_file::number(value));
    actions.push_back(std::move(out));
  }
  doc["actions"] = std::move(actions);
  if (!episode.poses.empty()) {
    Json poses = Json::array();
    for (const auto& pose : episode.poses)
      poses.push_back({json_file::number(pose.x), json_file::number(pose.y), json_file::number(pose.yaw)});
    doc["poses"] = std::move(poses);
  }
  return doc;
}

fs::path without_trailing_separator(const fs::path& dir) {
  fs::path normal = dir.lexically_normal();
  if (normal.filename().empty()) normal = normal.parent_path();
  return normal;
}

}  // namespace

std::string frame_file_name(int index) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06d.png", index);
  return name;
}

void check_episode(const Episode& episode, const std::string& where) {
  auto fail = [&](const std::string& problem) { throw UserError(where + ": " + problem); };
  const std::string schema = schema_problem(episode.meta.schema);
  if (!schema.empty()) fail("action schema " + schema);
  const std::string counts = count_problem(static_cast<int>(episode.frames.size()),
                                           episode.meta.schema.dimension(), episode.actions.size(),
                                           episode.poses.size());
  if (!counts.empty()) fail(counts);
  const Image& first = episode.frames.front();
  if (first.width <= 0 || first.height <= 0) fail("frame 0 is empty");
  for (std::size_t i = 0; i < episode.frames.size(); ++i) {
    const Image& frame = episode.frames[i];
    if (!frame.same_size(first) || frame.pixels.size() != static_cast<std::size_t>(first.width) * first.height * 3)
      fail("frame " + std::to_string(i) + " is " + size_text(frame.width, frame.height) + " but frame 0 is " +
           size_text(first.width, first.height));
  }
  if ((episode.meta.width || episode.meta.height) &&
      (episode.meta.width != first.width || episode.meta.height != first.height))
    fail("meta says " + size_text(episode.meta.width, episode.meta.height) + " but the frames are " +
         size_text(first.width, first.height));
  const auto actions = action_problems(episode.actions, episode.meta.schema.dimension());
  if (!actions.empty()) fail(actions.front());
  for (std::size_t i = 0; i < episode.poses.size(); ++i) {
    const auto& pose = episode.poses[i];
    if (!std::isfinite(pose.x) || !std::isfinite(pose.y) || !std::isfinite(pose.yaw))
      fail("poses[" + std::to_string(i) + "] is not finite");
  }
}

void write_episode(const Episode& episode, const fs::path& dir_in) {
  const fs::path dir = without_trailing_separator(dir_in);
  check_episode(episode, dir.string());
  const fs::path temporary = temporary_path_for(dir);
  try {
    fs::remove_all(temporary);  // left over from a killed writer
    fs::create_directories(temporary / "frames");
    for (std::size_t i = 0; i < episode.frames.size(); ++i) {
      const auto bytes = encode_png(episode.frames[i]);
      write_file_in_new_folder(temporary / "frames" / frame_file_name(static_cast<int>(i)),
                               bytes.data(), bytes.size());
    }
    write_file_atomically(temporary / "episode.json", json_file::dump(episode_to_json(episode)));
    if (fs::exists(dir)) {
      // Keep the old episode until the new one is complete, then swap and drop it.
      const fs::path old = dir.parent_path() / ("." + dir.filename().string() + ".old");
      fs::remove_all(old);
      fs::rename(dir, old);
      fs::rename(temporary, dir);
      fs::remove_all(old);
    } else {
      fs::rename(temporary, dir);
    }
  } catch (const fs::filesystem_error& error) {
    throw UserError(dir.string() + ": cannot write the episode (" + error.code().message() + ")");
  }
}

EpisodeCheck check_episode_folder(const fs::path& dir) {
  EpisodeCheck check;
  std::vector<std::string>& problems = check.problems;
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    problems.push_back(dir.string() + ": no such episode folder");
    return check;
  }
  const fs::path path = dir / "episode.json";
  Episode& episode = check.episode;
  std::optional<int> declared;
  try {
    const Json doc = json_file::parse(path);
    const int version = json_file::as_int(json_file::member(doc, "format_version", path), "format_version", path);
    if (version != kFormatVersion)
      throw UserError(path.string() + ": format_version " + std::to_string(version) +
                      " is not supported (this build reads version " + std::to_string(kFormatVersion) + ")");
    episode.meta = meta_from_json(json_file::member(doc, "meta", path), path);
    episode.actions = actions_from_json(json_file::optional_member(doc, "actions", path), path);
    episode.poses = poses_from_json(json_file::optional_member(doc, "poses", path), path);
    if (const Json* count = json_file::optional_member(doc, "frame_count", path))
      declared = json_file::as_int(*count, "frame_count", path);
    check.has_meta = true;
  } catch (const UserError& e) {
    problems.push_back(e.what());  // the frames are still checked below
  }
  const int frame_count = declared ? *declared : count_frame_files(dir / "frames", problems);
  const std::string expected = declared ? "episode.json says " + std::to_string(*declared) + " frames"
                                        : "frames up to " + frame_file_name(frame_count - 1) + " exist";
  if (check.has_meta) {
    const std::string counts = count_problem(frame_count, episode.meta.schema.dimension(),
                                             episode.actions.size(), episode.poses.size());
    if (!counts.empty()) problems.push_back(path.string() + ": " + counts);
    append_limited(problems, path.string(), action_problems(episode.actions, episode.meta.schema.dimension()),
                   "action problems");
  }
  episode.frames = load_frames(dir, frame_count, expected, problems);
  if (episode.frames.empty()) return check;
  const Image& first = episode.frames.front();
  if (check.has_meta && (episode.meta.width || episode.meta.height) &&
      (episode.meta.width != first.width || episode.meta.height != first.height))
    problems.push_back(path.string() + ": meta says " + size_text(episode.meta.width, episode.meta.height) +
                       " but frames/" + frame_file_name(0) + " is " + size_text(first.width, first.height));
  episode.meta.width = first.width;
  episode.meta.height = first.height;
  if (problems.empty()) {
    try {
      check_episode(episode, path.string());  // poses finite, and anything the reader missed
    } catch (const UserError& e) {
      problems.push_back(e.what());
    }
  }
  return check;
}

Episode read_episode(const fs::path& dir) {
  EpisodeCheck check = check_episode_folder(dir);
  if (!check.problems.empty()) throw UserError(check.problems.front());
  return std::move(check.episode);
}

}  // namespace dw::data
