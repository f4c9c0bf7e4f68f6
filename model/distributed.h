// Data-parallel training's settings, torch-free: who this process is in the group (rank, world
// size, the master's address) as torchrun and Slurm scripts pass them in the environment, the
// backend and the fault timeout; and how a global batch is split into the ranks' shards.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace dw::model {

struct DistributedOptions {
  int rank = 0;
  int world_size = 1;           // 1 = a single process, no group is joined
  int local_rank = 0;           // this process's index on its machine: its GPU under NCCL
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string backend;          // "", "gloo" or "nccl"; "" = gloo on the CPU, nccl on CUDA
  double timeout_s = 60.0;      // --dist-timeout: how long a rank waits for the others
  // torchrun's agent already serves the store on MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE), and
  // each of its restarts gets fresh keys (TORCHELASTIC_RESTART_COUNT).
  bool launcher_hosts_store = false;
  std::string store_prefix = "dreamwalk/0/";
  bool is_distributed() const { return world_size > 1; }
};

// RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT and LOCAL_RANK from the environment; a single
// process when WORLD_SIZE and RANK are unset. UserError naming the variable for a bad value.
DistributedOptions distributed_from_environment();

// Checks the settings (and the backend against the device): UserError naming the flag or variable.
void check_distributed(const DistributedOptions& options, const std::string& device);

// Rank r's rows [begin, end) of a global batch: contiguous, in rank order, sizes differing by at
// most one, so the shards together are the global batch in its order.
struct BatchShard {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t global = 0;
  std::int64_t rows() const { return end - begin; }
  double share() const { return static_cast<double>(rows()) / static_cast<double>(global); }
};
BatchShard shard_of(std::int64_t global_batch, int rank, int world_size);

// Another rank died, hung past --dist-timeout or left the group: the message names the rank.
// `dreamwalk train` prints it as one line and exits 1 (a failure, not bad input).
class RankFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Data parallel on paper, for `bench train`. A ring all-reduce makes each rank send and receive
// 2(N-1)/N x `bytes` per step; ours runs after backward, without overlap, so at a fixed batch per
// rank the efficiency against one rank is compute / (compute + all-reduce).
double ring_all_reduce_seconds(int ranks, double bytes, double bytes_per_second);
double data_parallel_efficiency(double compute_seconds, double all_reduce_seconds);

// Whether this LibTorch can run the backend ("gloo" always; "nccl" in a CUDA build with c10d NCCL).
bool has_backend(const std::string& backend);

}  // namespace dw::model
