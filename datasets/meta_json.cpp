#include "datasets/meta_json.h"

#include <cmath>

#include "nav/base/user_error.h"

namespace dw::data {

using json_file::Json;
namespace fs = std::filesystem;

namespace {

Json settings_to_json(const nav::WorldSettings& settings) {
  return Json{{"grid_width", settings.grid_width},
              {"grid_height", settings.grid_height},
              {"room_count", settings.room_count},
              {"agent_radius", json_file::number(settings.agent_radius)},
              {"field_of_view", json_file::number(settings.field_of_view)},
              {"limits",
               {{"max_forward", json_file::number(settings.limits.max_forward)},
                {"max_strafe", json_file::number(settings.limits.max_strafe)},
                {"max_turn", json_file::number(settings.limits.max_turn)}}}};
}

// Missing fields keep their defaults, so a hand-written file only states what differs.
nav::WorldSettings settings_from_json(const Json& value, const fs::path& path) {
  using namespace json_file;
  as_object(value, "meta.world_settings", path);
  nav::WorldSettings settings;
  auto read_int = [&](const char* name, int& out) {
    if (const Json* v = optional_member(value, name, path))
      out = as_int(*v, std::string("meta.world_settings.") + name, path);
  };
  auto read_float = [&](const Json& object, const char* name, const std::string& prefix, float& out) {
    if (const Json* v = optional_member(object, name, path)) out = as_float(*v, prefix + name, path);
  };
  read_int("grid_width", settings.grid_width);
  read_int("grid_height", settings.grid_height);
  read_int("room_count", settings.room_count);
  read_float(value, "agent_radius", "meta.world_settings.", settings.agent_radius);
  read_float(value, "field_of_view", "meta.world_settings.", settings.field_of_view);
  if (const Json* limits = optional_member(value, "limits", path)) {
    const std::string prefix = "meta.world_settings.limits.";
    as_object(*limits, "meta.world_settings.limits", path);
    read_float(*limits, "max_forward", prefix, settings.limits.max_forward);
    read_float(*limits, "max_strafe", prefix, settings.limits.max_strafe);
    read_float(*limits, "max_turn", prefix, settings.limits.max_turn);
  }
  return settings;
}

}  // namespace

std::string schema_problem(const ActionSchema& schema) {
  const int dimension = schema.dimension();
  if (dimension > kMaxActionDimension)
    return "has " + std::to_string(dimension) + " action dimensions; at most " +
           std::to_string(kMaxActionDimension) + " are supported";
  if (schema.limits.size() != schema.names.size())
    return "has " + std::to_string(dimension) + " action names but " +
           std::to_string(schema.limits.size()) + " limits";
  if (!schema.keys.empty() && schema.keys.size() != schema.names.size())
    return "has " + std::to_string(dimension) + " action names but " +
           std::to_string(schema.keys.size()) + " keys (give one per name, or none)";
  for (std::size_t i = 0; i < schema.names.size(); ++i) {
    if (schema.names[i].empty()) return "has an empty action name at position " + std::to_string(i);
    if (!std::isfinite(schema.limits[i]) || schema.limits[i] <= 0.0f)
      return "has a limit for \"" + schema.names[i] + "\" that is not a positive number";
  }
  return "";
}

Json schema_to_json(const ActionSchema& schema) {
  Json limits = Json::array();
  for (float limit : schema.limits) limits.push_back(json_file::number(limit));
  return Json{{"names", schema.names}, {"limits", limits}, {"keys", schema.keys}};
}

ActionSchema schema_from_json(const Json& value, const fs::path& path) {
  using namespace json_file;
  as_object(value, "action_schema", path);
  ActionSchema schema;
  for (const auto& name : as_array(member(value, "names", path), "action_schema.names", path))
    schema.names.push_back(as_string(name, "action_schema.names", path));
  if (const Json* limits = optional_member(value, "limits", path)) {
    for (const auto& limit : as_array(*limits, "action_schema.limits", path))
      schema.limits.push_back(as_float(limit, "action_schema.limits", path));
  } else {
    schema.limits.assign(schema.names.size(), 1.0f);  // unitless actions: +1 means "full"
  }
  if (const Json* keys = optional_member(value, "keys", path))
    for (const auto& key : as_array(*keys, "action_schema.keys", path))
      schema.keys.push_back(as_string(key, "action_schema.keys", path));
  const std::string problem = schema_problem(schema);
  if (!problem.empty()) throw UserError(path.string() + ": \"action_schema\" " + problem);
  return schema;
}

Json meta_to_json(const EpisodeMeta& meta) {
  Json out{{"source", meta.source}, {"policy", meta.policy}};
  if (meta.world_seed) out["world_seed"] = *meta.world_seed;
  if (meta.world_settings) out["world_settings"] = settings_to_json(*meta.world_settings);
  out["width"] = meta.width;
  out["height"] = meta.height;
  out["action_schema"] = schema_to_json(meta.schema);
  return out;
}

EpisodeMeta meta_from_json(const Json& value, const fs::path& path) {
  using namespace json_file;
  as_object(value, "meta", path);
  EpisodeMeta meta;
  meta.source = "import";
  if (const Json* v = optional_member(value, "source", path)) meta.source = as_string(*v, "meta.source", path);
  if (const Json* v = optional_member(value, "policy", path)) meta.policy = as_string(*v, "meta.policy", path);
  if (const Json* v = optional_member(value, "world_seed", path))
    meta.world_seed = as_uint64(*v, "meta.world_seed", path);
  if (const Json* v = optional_member(value, "world_settings", path))
    meta.world_settings = settings_from_json(*v, path);
  if (const Json* v = optional_member(value, "width", path)) meta.width = as_int(*v, "meta.width", path);
  if (const Json* v = optional_member(value, "height", path)) meta.height = as_int(*v, "meta.height", path);
  if (const Json* v = optional_member(value, "action_schema", path)) meta.schema = schema_from_json(*v, path);
  return meta;
}

}  // namespace dw::data
