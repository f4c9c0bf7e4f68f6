#include "model/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "model/config_fields.h"
#include "model/json_number.h"
#include "nav/base/user_error.h"

namespace dw::model {
namespace {

using nlohmann::json;

// A config is a few dozen values. Aliases let a small file name a node many times over ("&a [x,
// x]", "&b [*a, *a]", ...), doubling with every line, so the copy into JSON counts what it expands
// and stops early instead of building gigabytes.
constexpr std::size_t kMaxConfigValues = 10000;
constexpr int kMaxConfigDepth = 32;

// YAML scalars carry no type; turn them into JSON numbers/bools where they parse as such, so one
// JSON reader serves both the YAML configs and the config stored in model.json.
json yaml_to_json(const YAML::Node& node, const std::string& where, std::size_t& budget, int depth = 0) {
  if (budget == 0 || depth > kMaxConfigDepth)
    throw UserError(where + ": too large or too deeply nested for a config (aliases expanding too far?)");
  --budget;
  if (node.IsMap()) {
    json object = json::object();
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) throw UserError(where + ": a key is not a plain name (line " +
                                                   std::to_string(entry.first.Mark().line + 1) + ")");
      object[entry.first.Scalar()] = yaml_to_json(entry.second, where, budget, depth + 1);
    }
    return object;
  }
  if (node.IsSequence()) {
    json array = json::array();
    for (const auto& item : node) array.push_back(yaml_to_json(item, where, budget, depth + 1));
    return array;
  }
  if (!node.IsScalar()) return nullptr;  // null, or an undefined node
  const std::string text = node.Scalar();
  if (text == "true" || text == "false") return text == "true";
  try {
    size_t used = 0;
    const long long integer = std::stoll(text, &used);
    if (used == text.size()) return integer;
    const double real = std::stod(text, &used);
    if (used == text.size()) return real;
  } catch (const std::exception&) {
  }
  return text;
}

template <typename Enum>
Enum enum_from(const std::string& text, std::initializer_list<Enum> values, const std::string& what) {
  std::string names;
  for (Enum value : values) {
    if (to_string(value) == text) return value;
    names += (names.empty() ? "" : ", ") + to_string(value);
  }
  throw UserError(what + " must be one of " + names + " (not '" + text + "')");
}

// Reads the listed fields from a JSON object; missing keys keep their defaults, unknown keys are
// an error.
class JsonReader {
 public:
  JsonReader(const json& object, std::string where, std::string section)
      : object_(object), where_(std::move(where)), section_(std::move(section)) {
    if (!object_.is_object()) throw UserError(where_ + ": '" + section_.substr(0, section_.size() - 1) + "' must be a mapping");
  }

  template <typename T>
  void field(const char* key, T& value, const Range&) {
    known_.insert(key);
    if (!object_.contains(key)) return;
    if (!read(object_.at(key), value)) throw UserError(where_ + ": '" + section_ + key + "' has the wrong type");
  }

  template <typename Enum>
  void choice(const char* key, Enum& value, std::initializer_list<Enum> values) {
    known_.insert(key);
    if (!object_.contains(key)) return;
    if (!object_.at(key).is_string()) throw UserError(where_ + ": '" + section_ + key + "' must be a name");
    value = enum_from(object_.at(key).get<std::string>(), values, where_ + ": '" + section_ + key + "'");
  }

  template <typename Visit>
  void section(const char* key, Visit&& visit) {
    known_.insert(key);
    if (!object_.contains(key)) return;
    JsonReader inner(object_.at(key), where_, section_ + key + ".");
    visit(inner);
    inner.reject_unknown();
  }

  void reject_unknown(const std::set<std::string>& also_known = {}) const {
    for (const auto& item : object_.items()) {
      if (!known_.count(item.key()) && !also_known.count(item.key())) {
        throw UserError(where_ + ": unknown key '" + section_ + item.key() + "'");
      }
    }
  }

 private:
  // Typed reads that never cast a value that does not fit (see json_number.h).
  static bool read(const json& from, int& to) {
    const auto number = whole_number(from, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (number) to = static_cast<int>(*number);
    return number.has_value();
  }
  static bool read(const json& from, float& to) {
    if (!from.is_number()) return false;
    to = static_cast<float>(from.get<double>());  // beyond float's range it becomes inf: the range check says so
    return true;
  }
  static bool read(const json& from, bool& to) {
    if (!from.is_boolean()) return false;
    to = from.get<bool>();
    return true;
  }
  static bool read(const json& from, std::vector<int>& to) {
    if (!from.is_array()) return false;
    std::vector<int> values(from.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!read(from[i], values[i])) return false;
    }
    to = std::move(values);
    return true;
  }

  const json& object_;
  std::string where_;
  std::string section_;
  std::set<std::string> known_;
};

class JsonWriter {
 public:
  json object = json::object();

  template <typename T>
  void field(const char* key, const T& value, const Range&) {
    object[key] = value;
  }
  template <typename Enum>
  void choice(const char* key, const Enum& value, std::initializer_list<Enum>) {
    object[key] = to_string(value);
  }
  template <typename Visit>
  void section(const char* key, Visit&& visit) {
    JsonWriter inner;
    visit(inner);
    object[key] = inner.object;
  }
};

class RangeChecker {
 public:
  RangeChecker(std::string where, std::string section) : where_(std::move(where)), section_(std::move(section)) {}

  template <typename T>
  void field(const char* key, const T& value, const Range& range) {
    check(key, static_cast<double>(value), range);
  }
  void field(const char* key, const std::vector<int>& values, const Range& range) {
    for (int value : values) check(key, value, range);
  }
  template <typename Enum>
  void choice(const char*, const Enum&, std::initializer_list<Enum>) {}  // typed: always valid
  template <typename Visit>
  void section(const char* key, Visit&& visit) {
    RangeChecker inner(where_, section_ + key + ".");
    visit(inner);
  }

 private:
  void check(const char* key, double value, const Range& range) const {
    const bool above = range.low_open ? value > range.low : value >= range.low;
    const bool below = range.high_open ? value < range.high : value <= range.high;
    if (above && below) return;
    throw UserError(fmt::format("{}: {}{} must be in {}{:g}, {:g}{} (not {:g})", where_, section_, key,
                                range.low_open ? "(" : "[", range.low, range.high, range.high_open ? ")" : "]", value));
  }
  std::string where_;
  std::string section_;
};

void require(bool condition, const std::string& where, const std::string& problem) {
  if (!condition) throw UserError(where + ": " + problem);
}

ModelConfig model_from_json(const json& object, const std::string& where) {
  ModelConfig model;
  JsonReader reader(object, where, "model.");
  visit_model_fields(model, reader);
  // Configs and checkpoints of earlier Dreamwalks name the decoder by how it uses the previous frame.
  if (object.contains("previous_frame")) {
    require(!object.contains("decoder"), where, "give model.decoder or the older model.previous_frame, not both");
    const json& value = object.at("previous_frame");
    require(value.is_string() && (value == "none" || value == "warp"), where, "model.previous_frame must be none or warp");
    model.decoder.type = value == "warp" ? DecoderType::warp : DecoderType::mean;
  }
  reader.reject_unknown({"previous_frame"});
  require(!model.decoder.anchor || model.decoder.type != DecoderType::mean, where,
          "model.decoder.anchor needs a decoder that warps (type warp or denoise)");
  require(!model.decoder.track_anchor || model.decoder.type != DecoderType::mean, where,
          "model.decoder.track_anchor needs a decoder that warps (type warp or denoise)");
  require(!(model.decoder.track_anchor && model.decoder.anchor), where,
          "model.decoder.anchor and model.decoder.track_anchor are two ways to use the anchor: choose one");
  return model;
}

TrainConfig train_from_json(const json& object, const std::string& where) {
  TrainConfig train;
  JsonReader reader(object, where, "train.");
  visit_train_fields(train, reader);
  reader.reject_unknown();
  return train;
}

}  // namespace

std::string to_string(DecoderType type) {
  switch (type) {
    case DecoderType::mean: return "mean";
    case DecoderType::warp: return "warp";
    case DecoderType::denoise: return "denoise";
  }
  return "?";
}

std::string to_string(DynamicsType type) {
  switch (type) {
    case DynamicsType::rssm: return "rssm";
  }
  return "?";
}

std::string to_string(Resample resample) {
  switch (resample) {
    case Resample::bilinear: return "bilinear";
    case Resample::bicubic: return "bicubic";
  }
  return "?";
}

void check_config(const Config& config, const std::string& where) {
  Config copy = config;  // the visitors take mutable references; checking changes nothing
  RangeChecker model_checker(where, "model.");
  visit_model_fields(copy.model, model_checker);
  RangeChecker train_checker(where, "train.");
  visit_train_fields(copy.train, train_checker);
  const ModelConfig& m = config.model;
  require(!m.encoder_channels.empty() && m.encoder_channels.size() <= 4, where,
          "model.encoder_channels must list 1 to 4 stages");
  const int divisor = 1 << m.encoder_channels.size();
  require(m.width % divisor == 0 && m.height % divisor == 0, where,
          "model.width/height must be multiples of " + std::to_string(divisor));
  require(config.train.min_context <= m.context, where, "train.min_context must not exceed model.context");
  require(m.decoder.denoise_channels.size() == 2, where,
          "model.decoder.denoise_channels must list 2 widths (frame / 2 and frame / 4)");
  require(m.decoder.type != DecoderType::denoise || (m.width % 4 == 0 && m.height % 4 == 0), where,
          "the denoise decoder needs model.width/height that are multiples of 4");
}

Config config_from_json(const json& object, const std::string& where) {
  if (!object.is_object()) throw UserError(where + ": the config must be a mapping");
  for (const auto& item : object.items()) {
    if (item.key() != "name" && item.key() != "model" && item.key() != "train") {
      throw UserError(where + ": unknown key '" + item.key() + "'");
    }
  }
  Config config;
  if (object.contains("name")) {
    require(object.at("name").is_string(), where, "'name' has the wrong type");
    config.name = object.at("name").get<std::string>();
  }
  if (object.contains("model")) config.model = model_from_json(object.at("model"), where);
  if (object.contains("train")) config.train = train_from_json(object.at("train"), where);
  check_config(config, where);
  return config;
}

Config load_config(const std::filesystem::path& path) {
  const std::string where = path.string();
  if (!std::filesystem::is_regular_file(path)) throw UserError(where + ": config file not found");
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    throw UserError(where + ": not valid YAML (line " + std::to_string(e.mark.line + 1) + ")");
  }
  std::size_t budget = kMaxConfigValues;
  return config_from_json(yaml_to_json(root, where, budget), where);
}

void to_json(json& object, const Config& config) {
  Config copy = config;
  JsonWriter model, train;
  visit_model_fields(copy.model, model);
  visit_train_fields(copy.train, train);
  object = json{{"name", config.name}, {"model", model.object}, {"train", train.object}};
}

}  // namespace dw::model
