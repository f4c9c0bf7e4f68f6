#include "model/distributed.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

#include "nav/base/user_error.h"

namespace dw::model {

namespace {

const char* variable(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// A whole number in [low, high] from the environment, or `fallback` when the variable is unset.
int int_variable(const char* name, int fallback, long low, long high) {
  const char* text = variable(name);
  if (text == nullptr) return fallback;
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < low || value > high) {
    throw UserError(fmt::format("{}={}: not a whole number in {}..{}", name, text, low, high));
  }
  return static_cast<int>(value);
}

}  // namespace

DistributedOptions distributed_from_environment() {
  DistributedOptions options;
  options.master_port = int_variable("MASTER_PORT", options.master_port, 1, 65535);
  if (const char* addr = variable("MASTER_ADDR")) options.master_addr = addr;
  if (variable("WORLD_SIZE") == nullptr && variable("RANK") == nullptr) return options;
  if (variable("WORLD_SIZE") == nullptr || variable("RANK") == nullptr) {
    throw UserError(fmt::format("{} is set but {} is not (a launcher sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT)",
                                variable("RANK") ? "RANK" : "WORLD_SIZE", variable("RANK") ? "WORLD_SIZE" : "RANK"));
  }
  options.world_size = int_variable("WORLD_SIZE", 1, 1, 65536);
  options.rank = int_variable("RANK", 0, 0, options.world_size - 1);
  options.local_rank = int_variable("LOCAL_RANK", 0, 0, 65535);
  if (const char* agent = variable("TORCHELASTIC_USE_AGENT_STORE")) options.launcher_hosts_store = std::string(agent) == "True";
  options.store_prefix = fmt::format("dreamwalk/{}/", int_variable("TORCHELASTIC_RESTART_COUNT", 0, 0, 1 << 30));
  return options;
}

void check_distributed(const DistributedOptions& options, const std::string& device) {
  if (!(options.timeout_s > 0.0) || options.timeout_s > 86400.0) {
    throw UserError(fmt::format("--dist-timeout {}: must be more than 0 and at most 86400 seconds", options.timeout_s));
  }
  if (!options.backend.empty() && options.backend != "gloo" && options.backend != "nccl") {
    throw UserError("--backend: '" + options.backend + "' is not one of gloo, nccl");
  }
  if (options.backend == "nccl" && device != "cuda") {
    throw UserError("--backend nccl: NCCL runs on GPUs only; pass --device cuda or use --backend gloo");
  }
  if (options.backend == "nccl" && !has_backend("nccl")) {
    throw UserError("--backend nccl: this LibTorch was built without NCCL (a CUDA LibTorch has it); use --backend gloo");
  }
}

BatchShard shard_of(std::int64_t global_batch, int rank, int world_size) {
  BatchShard shard;
  shard.global = global_batch;
  shard.begin = global_batch * rank / world_size;
  shard.end = global_batch * (rank + 1) / world_size;
  return shard;
}

double ring_all_reduce_seconds(int ranks, double bytes, double bytes_per_second) {
  if (ranks <= 1) return 0.0;
  return 2.0 * (ranks - 1) / ranks * bytes / bytes_per_second;
}

double data_parallel_efficiency(double compute_seconds, double all_reduce_seconds) {
  return compute_seconds / (compute_seconds + all_reduce_seconds);
}

bool has_backend(const std::string& backend) {
  if (backend == "gloo") return true;
#ifdef USE_C10D_NCCL
  if (backend == "nccl") return true;
#endif
  return false;
}

}  // namespace dw::model
