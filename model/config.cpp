#include "model/config.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <set>

#include "nav/user_error.h"

namespace dw::model {
namespace {

using nlohmann::json;

// YAML scalars carry no type; turn them into JSON numbers/bools where they parse as such, so one
// JSON reader serves both the YAML configs and the config stored in model.json.
json yaml_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    json object = json::object();
    for (const auto& entry : node) object[entry.first.as<std::string>()] = yaml_to_json(entry.second);
    return object;
  }
  if (node.IsSequence()) {
    json array = json::array();
    for (const auto& item : node) array.push_back(yaml_to_json(item));
    return array;
  }
  if (node.IsNull()) return nullptr;
  const std::string text = node.as<std::string>();
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

void reject_unknown(const json& object, const std::set<std::string>& known, const std::string& where,
                    const std::string& section) {
  for (const auto& item : object.items()) {
    if (!known.count(item.key())) {
      throw UserError(where + ": unknown key '" + section + item.key() + "'");
    }
  }
}

template <typename T>
void read_field(const json& object, const char* key, T& value, const std::string& where,
                const std::string& section) {
  if (!object.contains(key)) return;  // missing keys keep their defaults
  try {
    value = object.at(key).get<T>();
  } catch (const json::exception&) {
    throw UserError(where + ": '" + section + key + "' has the wrong type");
  }
}

ModelConfig model_from_json(const json& object, const std::string& where) {
  if (!object.is_object()) throw UserError(where + ": 'model' must be a mapping");
  reject_unknown(object, {"width", "height", "context", "encoder_channels", "latent_channels",
                          "state_channels", "hidden_channels", "min_std", "previous_frame"}, where,
                "model.");
  ModelConfig model;
  const std::string s = "model.";
  read_field(object, "width", model.width, where, s);
  read_field(object, "height", model.height, where, s);
  read_field(object, "context", model.context, where, s);
  read_field(object, "encoder_channels", model.encoder_channels, where, s);
  read_field(object, "latent_channels", model.latent_channels, where, s);
  read_field(object, "state_channels", model.state_channels, where, s);
  read_field(object, "hidden_channels", model.hidden_channels, where, s);
  read_field(object, "min_std", model.min_std, where, s);
  read_field(object, "previous_frame", model.previous_frame, where, s);
  return model;
}

TrainConfig train_from_json(const json& object, const std::string& where) {
  if (!object.is_object()) throw UserError(where + ": 'train' must be a mapping");
  reject_unknown(object, {"batch", "horizon", "learning_rate", "kl_weight", "free_bits", "kl_balance",
                          "context_weight", "grad_clip", "eval_every", "eval_windows",
                          "keep_checkpoints", "threads"}, where, "train.");
  TrainConfig train;
  const std::string s = "train.";
  read_field(object, "batch", train.batch, where, s);
  read_field(object, "horizon", train.horizon, where, s);
  read_field(object, "learning_rate", train.learning_rate, where, s);
  read_field(object, "kl_weight", train.kl_weight, where, s);
  read_field(object, "free_bits", train.free_bits, where, s);
  read_field(object, "kl_balance", train.kl_balance, where, s);
  read_field(object, "context_weight", train.context_weight, where, s);
  read_field(object, "grad_clip", train.grad_clip, where, s);
  read_field(object, "eval_every", train.eval_every, where, s);
  read_field(object, "eval_windows", train.eval_windows, where, s);
  read_field(object, "keep_checkpoints", train.keep_checkpoints, where, s);
  read_field(object, "threads", train.threads, where, s);
  return train;
}

void require(bool condition, const std::string& where, const std::string& problem) {
  if (!condition) throw UserError(where + ": " + problem);
}

}  // namespace

void check_config(const Config& config, const std::string& where) {
  const ModelConfig& m = config.model;
  const TrainConfig& t = config.train;
  require(!m.encoder_channels.empty() && m.encoder_channels.size() <= 4, where,
          "model.encoder_channels must list 1 to 4 stages");
  for (int channels : m.encoder_channels) {
    require(channels > 0 && channels <= 1024, where, "model.encoder_channels must be in 1..1024");
  }
  const int divisor = 1 << m.encoder_channels.size();
  require(m.width >= divisor && m.height >= divisor && m.width % divisor == 0 &&
              m.height % divisor == 0 && m.width <= 1024 && m.height <= 1024,
          where, "model.width/height must be multiples of " + std::to_string(divisor) + " up to 1024");
  require(m.context >= 1 && m.context <= 64, where, "model.context must be in 1..64");
  require(m.latent_channels > 0 && m.latent_channels <= 1024, where, "model.latent_channels must be in 1..1024");
  require(m.state_channels > 0 && m.state_channels <= 1024, where, "model.state_channels must be in 1..1024");
  require(m.hidden_channels > 0 && m.hidden_channels <= 1024, where, "model.hidden_channels must be in 1..1024");
  require(m.min_std > 0.0f && m.min_std < 10.0f, where, "model.min_std must be in (0, 10)");
  require(m.previous_frame == "none" || m.previous_frame == "warp", where,
          "model.previous_frame must be none or warp");
  require(t.batch >= 1 && t.batch <= 4096, where, "train.batch must be in 1..4096");
  require(t.horizon >= 1 && t.horizon <= 256, where, "train.horizon must be in 1..256");
  require(t.learning_rate > 0.0f && t.learning_rate < 1.0f, where, "train.learning_rate must be in (0, 1)");
  require(t.kl_weight >= 0.0f, where, "train.kl_weight must be >= 0");
  require(t.free_bits >= 0.0f, where, "train.free_bits must be >= 0");
  require(t.kl_balance >= 0.0f && t.kl_balance <= 1.0f, where, "train.kl_balance must be in [0, 1]");
  require(t.context_weight >= 0.0f, where, "train.context_weight must be >= 0");
  require(t.grad_clip > 0.0f, where, "train.grad_clip must be > 0");
  require(t.eval_every >= 1, where, "train.eval_every must be >= 1");
  require(t.eval_windows >= 1, where, "train.eval_windows must be >= 1");
  require(t.keep_checkpoints >= 0, where, "train.keep_checkpoints must be >= 0");
  require(t.threads >= 0 && t.threads <= 256, where, "train.threads must be in 0..256");
}

Config config_from_json(const json& object, const std::string& where) {
  if (!object.is_object()) throw UserError(where + ": the config must be a mapping");
  reject_unknown(object, {"name", "model", "train"}, where, "");
  Config config;
  read_field(object, "name", config.name, where, "");
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
  return config_from_json(yaml_to_json(root), where);
}

void to_json(json& object, const Config& config) {
  const ModelConfig& m = config.model;
  const TrainConfig& t = config.train;
  object = json{{"name", config.name},
                {"model",
                 {{"width", m.width}, {"height", m.height}, {"context", m.context},
                  {"encoder_channels", m.encoder_channels}, {"latent_channels", m.latent_channels},
                  {"state_channels", m.state_channels}, {"hidden_channels", m.hidden_channels},
                  {"min_std", m.min_std}, {"previous_frame", m.previous_frame}}},
                {"train",
                 {{"batch", t.batch}, {"horizon", t.horizon}, {"learning_rate", t.learning_rate},
                  {"kl_weight", t.kl_weight}, {"free_bits", t.free_bits}, {"kl_balance", t.kl_balance},
                  {"context_weight", t.context_weight}, {"grad_clip", t.grad_clip},
                  {"eval_every", t.eval_every}, {"eval_windows", t.eval_windows},
                  {"keep_checkpoints", t.keep_checkpoints}, {"threads", t.threads}}}};
}

}  // namespace dw::model
