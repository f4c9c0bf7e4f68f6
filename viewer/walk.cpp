#include "viewer/walk.h"

#include "datasets/json_file.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::viewer {

namespace json_file = data::json_file;
using json_file::Json;

namespace {

constexpr const char* kFormat = "dreamwalk-walk";
constexpr int kVersion = 1;

std::filesystem::path start_image_path(const std::filesystem::path& path) {
  return path.parent_path() / (path.stem().string() + ".start.png");
}

}  // namespace

void save_walk(const Walk& walk, const std::filesystem::path& path) {
  Json json;
  json["format"] = kFormat;
  json["version"] = kVersion;
  json["model_hash"] = walk.model_hash;
  json["seed"] = walk.seed;
  json["temperature"] = json_file::number(walk.temperature);
  Json start = Json::object();
  if (walk.start.world_seed) {
    start["world_seed"] = *walk.start.world_seed;
  } else {
    const std::filesystem::path image = start_image_path(path);
    save_png(walk.start.image, image);
    start["image"] = image.filename().string();
  }
  json["start"] = start;
  Json actions = Json::array();
  for (const auto& row : walk.actions) {
    Json values = Json::array();
    for (float value : row) values.push_back(json_file::number(value));
    actions.push_back(values);
  }
  json["actions"] = actions;
  write_file_atomically(path, json_file::dump(json) + "\n");
}

Walk load_walk(const std::filesystem::path& path) {
  const Json json = json_file::parse(path);
  json_file::as_object(json, "walk", path);
  if (json_file::as_string(json_file::member(json, "format", path), "format", path) != kFormat) {
    throw UserError(path.string() + ": not a dreamwalk walk file (format is not \"" + kFormat + "\")");
  }
  if (json_file::as_int(json_file::member(json, "version", path), "version", path) != kVersion) {
    throw UserError(path.string() + ": unsupported walk version (this build reads version 1)");
  }
  Walk walk;
  walk.model_hash = json_file::as_string(json_file::member(json, "model_hash", path), "model_hash", path);
  walk.seed = json_file::as_uint64(json_file::member(json, "seed", path), "seed", path);
  walk.temperature = json_file::as_float(json_file::member(json, "temperature", path), "temperature", path);
  const Json& start = json_file::as_object(json_file::member(json, "start", path), "start", path);
  if (const Json* seed = json_file::optional_member(start, "world_seed", path)) {
    walk.start.world_seed = json_file::as_uint64(*seed, "start.world_seed", path);
  } else {
    const std::string image = json_file::as_string(json_file::member(start, "image", path), "start.image", path);
    // save_walk writes the image beside the walk; any other path (a folder, /dev/zero) is not ours.
    if (image.empty() || image == "." || image == ".." || image.find('/') != std::string::npos ||
        image.find('\0') != std::string::npos)
      throw UserError(path.string() + ": \"start.image\" must be the name of a file beside the walk, not '" +
                      image + "'");
    walk.start.image = load_image(path.parent_path() / image);
  }
  const Json& actions = json_file::as_array(json_file::member(json, "actions", path), "actions", path);
  for (size_t i = 0; i < actions.size(); ++i) {
    const std::string field = "actions[" + std::to_string(i) + "]";
    std::vector<float> row;
    for (const Json& value : json_file::as_array(actions[i], field, path)) {
      row.push_back(json_file::as_float(value, field, path));
    }
    if (!walk.actions.empty() && row.size() != walk.actions.front().size()) {
      throw UserError(path.string() + ": " + field + " has " + std::to_string(row.size()) +
                      " values, earlier rows have " + std::to_string(walk.actions.front().size()));
    }
    walk.actions.push_back(std::move(row));
  }
  return walk;
}

}  // namespace dw::viewer
