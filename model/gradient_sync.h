// Data parallel's gradient all-reduce, ours to write: the C++ frontend has no
// DistributedDataParallel. Gradients are packed into a few large buckets (one collective each
// instead of one per tensor) and summed over the ranks; each rank's loss already carries its
// shard's share of the global batch, so the sum is the global batch's average gradient.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "model/rank_group.h"

namespace dw::model {

class GradientBuckets {
 public:
  static constexpr std::int64_t kDefaultBucketBytes = 16 << 20;

  explicit GradientBuckets(std::vector<torch::Tensor> parameters, std::int64_t bucket_bytes = kDefaultBucketBytes);

  // Sums every parameter's gradient over the ranks, in place. A parameter that got no gradient on
  // any rank keeps none (Adam then leaves it alone, as in one process); one that got a gradient
  // on some ranks only counts zeros for the others.
  void all_reduce(RankGroup& group);

  std::int64_t bytes_per_step() const { return bytes_; }  // what each rank contributes
  int bucket_count() const { return static_cast<int>(buckets_.size()); }

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<std::vector<std::size_t>> buckets_;  // parameter indices, in order
  std::int64_t bytes_ = 0;
};

// Rank 0's parameters into every rank's model, so all start from the same weights.
void broadcast_parameters(RankGroup& group, const std::vector<torch::Tensor>& parameters);

}  // namespace dw::model
