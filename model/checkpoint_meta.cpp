#include "model/checkpoint_meta.h"

#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "model/json_number.h"
#include "model/safetensors_header.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::model {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// 2: the config names its decoder and dynamics core (model.decoder.type, model.dynamics.type).
// 1: the config said model.previous_frame; read as the matching decoder, same tensors.
constexpr int kVersion = 2;
constexpr int kOldestVersion = 1;

json meta_to_json(const CheckpointMeta& meta) {
  json object = {{"format", kCheckpointFormat},
                 {"version", kVersion},
                 {"step", meta.step},
                 {"seed", meta.seed},
                 {"sampler_batches", meta.sampler_batches},
                 {"parameters", meta.parameters},
                 {"weights_hash", meta.weights_hash},
                 {"data_dir", meta.data_dir},
                 {"width", meta.config.model.width},
                 {"height", meta.config.model.height},
                 {"context", meta.config.model.context},
                 {"action_schema",
                  {{"names", meta.schema.names}, {"limits", meta.schema.limits}, {"keys", meta.schema.keys}}}};
  object["config"] = meta.config;
  return object;
}

std::int64_t signed_field(const json& object, const char* key, std::int64_t low, const std::string& where) {
  const auto value = whole_number(object.at(key), low, std::numeric_limits<std::int64_t>::max());
  if (!value) throw UserError(where + ": \"" + key + "\" must be a whole number >= " + std::to_string(low));
  return *value;
}

std::uint64_t unsigned_field(const json& object, const char* key, const std::string& where) {
  const auto value = whole_unsigned(object.at(key));
  if (!value) throw UserError(where + ": \"" + key + "\" must be a whole number >= 0");
  return *value;
}

CheckpointMeta meta_from_json(const json& object, const std::string& where) {
  // Not object.value("format", ""): it throws a json type_error, not a UserError, when "format" is a number.
  const bool is_ours = object.is_object() && object.contains("format") && object.at("format").is_string() &&
                       object.at("format").get<std::string>() == kCheckpointFormat;
  if (!is_ours) {
    throw UserError(where + ": not a Dreamwalk checkpoint (no \"format\": \"" + kCheckpointFormat + "\")");
  }
  CheckpointMeta meta;
  try {
    const auto version = whole_number(object.at("version"), std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (!version || *version < kOldestVersion || *version > kVersion) {
      throw UserError(fmt::format("{}: checkpoint format version {} is not one this Dreamwalk reads ({}..{}){}", where,
                                  object.at("version").dump(), kOldestVersion, kVersion,
                                  version && *version > kVersion ? "; it needs a newer Dreamwalk" : ""));
    }
    meta.config = config_from_json(object.at("config"), where + " (config)");
    meta.step = signed_field(object, "step", 0, where);
    meta.seed = unsigned_field(object, "seed", where);
    meta.sampler_batches = unsigned_field(object, "sampler_batches", where);
    if (object.contains("parameters")) meta.parameters = signed_field(object, "parameters", 0, where);
    meta.weights_hash = object.value("weights_hash", "");
    meta.data_dir = object.value("data_dir", "");
    const json& schema = object.at("action_schema");
    meta.schema.names = schema.at("names").get<std::vector<std::string>>();
    meta.schema.limits = schema.at("limits").get<std::vector<float>>();
    meta.schema.keys = schema.value("keys", std::vector<std::string>{});
  } catch (const json::exception& e) {
    throw UserError(where + ": missing or malformed field (" + std::string(e.what()) + ")");
  }
  if (meta.schema.dimension() > 8 || meta.schema.limits.size() != meta.schema.names.size()) {
    throw UserError(where + ": action_schema must have 0..8 names and one limit per name");
  }
  return meta;
}

CheckpointMeta read_meta_file(const fs::path& path) {
  const std::string text = read_whole_file(path);
  json object;
  try {
    object = json::parse(text);
  } catch (const json::exception&) {
    throw UserError(path.string() + ": not valid JSON");
  }
  return meta_from_json(object, path.string());
}

// The step a weights file was saved at (its header's metadata), or -1 when it has none or cannot
// be read: the caller then trusts model.json's step folder instead.
std::int64_t stored_step(const fs::path& weights) {
  try {
    const SafetensorsHeader header = parse_safetensors_header(read_whole_file(weights), weights.string());
    const auto step = header.metadata.find("step");
    if (step == header.metadata.end()) return -1;
    std::size_t used = 0;
    const long long value = std::stoll(step->second, &used);
    return used == step->second.size() ? value : -1;
  } catch (const std::exception&) {  // UserError for the file, std::invalid_argument/out_of_range for the text
    return -1;
  }
}

}  // namespace

fs::path checkpoint_step_dir(const fs::path& run_dir, std::int64_t step) {
  return run_dir / "checkpoints" / fmt::format("step_{:06d}", step);
}

std::string checkpoint_meta_text(const CheckpointMeta& meta) { return meta_to_json(meta).dump(2) + "\n"; }

fs::path resolve_run_dir(const fs::path& checkpoint) {
  if (fs::is_directory(checkpoint)) {
    if (!fs::is_regular_file(checkpoint / "model.json")) {
      throw UserError(checkpoint.string() + ": no model.json in this folder (not a run folder)");
    }
    return checkpoint;
  }
  if (fs::is_regular_file(checkpoint) && checkpoint.filename() == "model.json") {
    return checkpoint.parent_path().empty() ? fs::path(".") : checkpoint.parent_path();
  }
  throw UserError(checkpoint.string() + ": not a run folder or its model.json");
}

bool has_checkpoint(const fs::path& run_dir) { return fs::is_regular_file(run_dir / "model.json"); }

CheckpointFiles read_checkpoint_meta(const fs::path& run_dir) {
  CheckpointFiles files{read_meta_file(run_dir / "model.json"), run_dir};
  const fs::path weights = run_dir / "model.safetensors";
  if (fs::exists(weights) && stored_step(weights) != files.meta.step) {
    // A kill between writing the top-level files: the step folder holds the complete set.
    const fs::path fallback = checkpoint_step_dir(run_dir, files.meta.step);
    if (fs::is_regular_file(fallback / "model.json") && stored_step(fallback / "model.safetensors") == files.meta.step) {
      files.dir = fallback;
    }
  }
  return files;
}

}  // namespace dw::model
