#include "model/checkpoint.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "model/safetensors.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::model {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "dreamwalk-checkpoint";
// 2: the config names its decoder and dynamics core (model.decoder.type, model.dynamics.type).
// 1: the config said model.previous_frame; read as the matching decoder, same tensors.
constexpr int kVersion = 2;
constexpr int kOldestVersion = 1;

json meta_to_json(const CheckpointMeta& meta) {
  json object = {{"format", kFormat},
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

CheckpointMeta meta_from_json(const json& object, const std::string& where) {
  if (!object.is_object() || object.value("format", "") != kFormat) {
    throw UserError(where + ": not a Dreamwalk checkpoint (no \"format\": \"" + kFormat + "\")");
  }
  CheckpointMeta meta;
  try {
    const int version = object.at("version").get<int>();
    if (version < kOldestVersion || version > kVersion) {
      throw UserError(fmt::format("{}: checkpoint format version {} is not one this Dreamwalk reads ({}..{}){}", where,
                                  version, kOldestVersion, kVersion, version > kVersion ? "; it needs a newer Dreamwalk" : ""));
    }
    meta.config = config_from_json(object.at("config"), where + " (config)");
    meta.step = object.at("step").get<std::int64_t>();
    meta.seed = object.at("seed").get<std::uint64_t>();
    meta.sampler_batches = object.at("sampler_batches").get<std::uint64_t>();
    meta.parameters = object.value("parameters", std::int64_t{0});
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
  if (meta.step < 0) throw UserError(where + ": negative step");
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

std::int64_t stored_step(const fs::path& weights) {
  // Cheap check of the header's step metadata without loading tensors twice would need a second
  // parser; the files are small, so read them.
  const std::string text = read_whole_file(weights);
  if (text.size() < 8) return -1;
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t{static_cast<unsigned char>(text[i])} << (8 * i);
  if (length > text.size() - 8) return -1;
  try {
    const json header = json::parse(text.substr(8, length));
    return std::stoll(header.at("__metadata__").at("step").get<std::string>());
  } catch (const std::exception&) {
    return -1;
  }
}

fs::path step_dir(const fs::path& run_dir, std::int64_t step) {
  return run_dir / "checkpoints" / fmt::format("step_{:06d}", step);
}

void prune_checkpoints(const fs::path& run_dir, int keep) {
  std::vector<fs::path> steps;
  for (const auto& entry : fs::directory_iterator(run_dir / "checkpoints")) {
    if (entry.is_directory() && entry.path().filename().string().rfind("step_", 0) == 0) {
      steps.push_back(entry.path());
    }
  }
  std::sort(steps.begin(), steps.end());
  // The newest step folder always stays: it is the fallback while the top level is rewritten.
  const size_t kept = static_cast<size_t>(std::max(keep, 1));
  for (size_t i = 0; i + kept < steps.size(); ++i) fs::remove_all(steps[i]);
}

}  // namespace

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
    const fs::path fallback = step_dir(run_dir, files.meta.step);
    if (fs::is_regular_file(fallback / "model.json") && stored_step(fallback / "model.safetensors") == files.meta.step) {
      files.dir = fallback;
    }
  }
  return files;
}

std::map<std::string, torch::Tensor> model_tensors(WorldModel& model) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : model->named_parameters()) tensors[item.key()] = item.value();
  for (const auto& item : model->named_buffers()) tensors[item.key()] = item.value();
  return tensors;
}

std::string hash_weights(WorldModel& model) {
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a over names and bytes
  for (const auto& [name, tensor] : model_tensors(model)) {
    auto cpu = tensor.detach().to(torch::kCPU).contiguous();
    const auto* bytes = static_cast<const unsigned char*>(cpu.data_ptr());
    for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    for (int64_t i = 0; i < cpu.numel() * cpu.element_size(); ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
  }
  return fmt::format("{:016x}", hash).substr(0, 12);
}

WorldModel load_weights(const CheckpointFiles& files, const torch::Device& device) {
  const fs::path path = files.dir / "model.safetensors";
  const TensorMap stored = load_safetensors(path);
  WorldModel model(files.meta.config.model, files.meta.schema.dimension());
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : model_tensors(model)) {
    auto found = stored.find(name);
    if (found == stored.end()) {
      throw UserError(path.string() + ": tensor '" + name +
                      "' is missing (a damaged file, or weights saved by an older Dreamwalk with another decoder)");
    }
    if (found->second.sizes() != tensor.sizes() || found->second.scalar_type() != tensor.scalar_type()) {
      throw UserError(path.string() + ": tensor '" + name + "' does not match the config (shape " +
                      c10::str(found->second.sizes()) + ", expected " + c10::str(tensor.sizes()) + ")");
    }
    tensor.copy_(found->second);
  }
  if (stored.size() != model_tensors(model).size()) {
    throw UserError(path.string() + ": holds tensors the config does not know (wrong config?)");
  }
  model->to(device);
  return model;
}

void load_optimizer(const CheckpointFiles& files, WorldModel& model, torch::optim::Adam& optimizer) {
  const fs::path path = files.dir / "optimizer.safetensors";
  const TensorMap stored = load_safetensors(path);
  auto& state = optimizer.state();
  for (const auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    const torch::Tensor& parameter = item.value();
    auto avg = stored.find(name + ".exp_avg");
    auto avg_sq = stored.find(name + ".exp_avg_sq");
    auto step = stored.find(name + ".step");
    if (avg == stored.end() && avg_sq == stored.end() && step == stored.end()) continue;  // never stepped
    if (avg == stored.end() || avg_sq == stored.end() || step == stored.end() ||
        avg->second.sizes() != parameter.sizes() || avg_sq->second.sizes() != parameter.sizes() ||
        step->second.numel() != 1 || step->second.scalar_type() != torch::kInt64) {
      throw UserError(path.string() + ": Adam state of '" + name + "' is missing or has the wrong shape");
    }
    auto param_state = std::make_unique<torch::optim::AdamParamState>();
    param_state->step(step->second.item<int64_t>());
    param_state->exp_avg(avg->second.to(parameter.device()));
    param_state->exp_avg_sq(avg_sq->second.to(parameter.device()));
    state[c10::guts::to_string(parameter.unsafeGetTensorImpl())] = std::move(param_state);
  }
}

void save_checkpoint(const fs::path& run_dir, CheckpointMeta meta, WorldModel& model,
                     torch::optim::Adam& optimizer) {
  meta.parameters = parameter_count(*model);
  meta.weights_hash = hash_weights(model);
  const std::map<std::string, std::string> tag{{"step", std::to_string(meta.step)}, {"format", kFormat}};
  TensorMap adam;
  auto& state = optimizer.state();
  for (const auto& item : model->named_parameters()) {
    auto found = state.find(c10::guts::to_string(item.value().unsafeGetTensorImpl()));
    if (found == state.end()) continue;
    auto& param_state = static_cast<torch::optim::AdamParamState&>(*found->second);
    adam[item.key() + ".exp_avg"] = param_state.exp_avg();
    adam[item.key() + ".exp_avg_sq"] = param_state.exp_avg_sq();
    adam[item.key() + ".step"] = torch::tensor(param_state.step(), torch::kInt64);
  }
  // 1. A complete step folder, built under a temporary name and renamed into place.
  const fs::path final_dir = step_dir(run_dir, meta.step);
  write_folder_atomically(final_dir, [&](const fs::path& building) {
    save_safetensors(building / "model.safetensors", model_tensors(model), tag);
    save_safetensors(building / "optimizer.safetensors", adam, tag);
    write_file_atomically(building / "model.json", meta_to_json(meta).dump(2) + "\n");
  });
  // 2. The top level, model.json last: until it is renamed, loading falls back to the folder.
  copy_file_atomically(final_dir / "model.safetensors", run_dir / "model.safetensors");
  copy_file_atomically(final_dir / "optimizer.safetensors", run_dir / "optimizer.safetensors");
  copy_file_atomically(final_dir / "model.json", run_dir / "model.json");
  prune_checkpoints(run_dir, meta.config.train.keep_checkpoints);
}

}  // namespace dw::model
