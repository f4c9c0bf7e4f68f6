// The c10d group one training process belongs to: rendezvous through a TCPStore that rank 0
// hosts, a handshake that makes every rank agree on the run before any tensor moves, Gloo (CPU)
// or NCCL (CUDA) collectives bounded by --dist-timeout, and fault reports that name the rank:
// each rank beats a counter in the store, so a survivor can tell which one stopped.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/distributed.h"

namespace dw::model {

class RankGroup {
 public:
  // Joins the group. `handshake` is a JSON object of everything the ranks must agree on (world
  // size, config, seed, steps, resume point); rank 0 compares every rank's with its own. A busy
  // master port, an unreachable master or a disagreement is a UserError (one line, exit 2) on
  // every rank that can tell; a rank that never joins is a RankFailure naming it.
  RankGroup(const DistributedOptions& options, const torch::Device& device, const std::string& handshake);
  ~RankGroup();
  RankGroup(const RankGroup&) = delete;
  RankGroup& operator=(const RankGroup&) = delete;

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }

  // In place, over all ranks; each tensor is its own collective. RankFailure on a fault.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors);
  // Rank 0's values into every rank's tensors, in place. RankFailure on a fault.
  void broadcast_from_rank0(std::vector<torch::Tensor>& tensors);
  // Rank 0 marks `key` done; the others wait for it as long as rank 0's heartbeat goes on (its
  // checkpoint and validation may take longer than --dist-timeout), and no longer than
  // --dist-timeout once the heartbeat stops: then a RankFailure naming rank 0 and `during`.
  void rank0_done(const std::string& key);
  void wait_for_rank0(const std::string& key, const std::string& during);
  // The training step this rank is on, for fault reports ("... at step 12").
  void set_step(std::int64_t step) { step_ = step; }

 private:
  struct Impl;
  [[noreturn]] void report_failure(const std::string& during, const std::string& detail);
  DistributedOptions options_;
  std::int64_t step_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dw::model
