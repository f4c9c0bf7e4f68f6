// One rank's side of data-parallel training: its shard of each global batch, the loss terms
// summed over the ranks for the progress line and the NaN guard, the stop vote (Ctrl-C on any
// rank, or rank 0's time budget), rank 0's weights broadcast at the start and the gradient
// all-reduce before clipping and the optimizer step.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "model/checkpoint.h"
#include "model/distributed.h"
#include "model/gradient_sync.h"
#include "model/rank_group.h"
#include "model/sequence.h"
#include "model/tensor_io.h"
#include "model/trainer.h"

namespace dw::model {

// Everything the ranks of a group must agree on before training together (rank 0 compares):
// world size, backend, device, config, seed, steps, the resume point and the training data's size.
std::string run_handshake(const TrainOptions& options, const CheckpointMeta& meta, std::int64_t train_windows);

// `--device`, with a group's ranks on one machine each on their own GPU (LOCAL_RANK).
torch::Device rank_device(const std::string& device, const DistributedOptions& distributed);

// What every rank agrees on after a step's forward pass.
struct StepAgreement {
  double total = 0.0;          // the global batch's loss (NaN when any shard's was)
  double open_loop_mse = 0.0;
  double kl = 0.0;
  bool stop_requested = false;  // some rank was asked to stop (Ctrl-C)
  bool time_is_up = false;      // rank 0's --minutes budget is spent
};

class DataParallel {
 public:
  DataParallel(const DistributedOptions& options, const torch::Device& device, const std::string& handshake,
               std::int64_t global_batch);

  bool is_rank0() const { return group_.rank() == 0; }
  RankGroup& group() { return group_; }
  const BatchShard& shard() const { return shard_; }
  // This rank's rows of a global batch.
  WindowTensors shard_rows(const WindowTensors& global) const;
  // The loss's hook into the group (see ShardedLoss).
  ShardedLoss sharded_loss();

  void broadcast_parameters(const std::vector<torch::Tensor>& parameters);
  // After backward: sums the gradients over the ranks (bucketed), timing it for the bench.
  void all_reduce_gradients(const std::vector<torch::Tensor>& parameters);
  StepAgreement agree(const LossTerms& terms, bool stop_requested, bool time_is_up);

  double gradient_seconds() const { return gradient_seconds_; }  // all gradient all-reduces so far
  std::int64_t gradient_bytes_per_step() const { return buckets_ ? buckets_->bytes_per_step() : 0; }

 private:
  BatchShard shard_;  // before group_: a batch too small to split fails before anyone joins
  RankGroup group_;
  std::unique_ptr<GradientBuckets> buckets_;
  double gradient_seconds_ = 0.0;
};

}  // namespace dw::model
