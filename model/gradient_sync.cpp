#include "model/gradient_sync.h"

namespace dw::model {

GradientBuckets::GradientBuckets(std::vector<torch::Tensor> parameters, std::int64_t bucket_bytes)
    : parameters_(std::move(parameters)) {
  std::int64_t filled = 0;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const std::int64_t size = parameters_[i].numel() * static_cast<std::int64_t>(parameters_[i].element_size());
    if (buckets_.empty() || (filled > 0 && filled + size > bucket_bytes)) {
      buckets_.emplace_back();
      filled = 0;
    }
    buckets_.back().push_back(i);
    filled += size;
    bytes_ += size;
  }
}

void GradientBuckets::all_reduce(RankGroup& group) {
  if (parameters_.empty()) return;
  const auto options = parameters_.front().options();
  // Bucket 0 also carries one number per parameter: how many ranks had a gradient for it.
  std::vector<float> had(parameters_.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i) had[i] = parameters_[i].grad().defined() ? 1.0f : 0.0f;
  const auto counts_local = torch::tensor(had, torch::TensorOptions().dtype(torch::kFloat32)).to(options.device());
  std::vector<float> counts;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    std::vector<torch::Tensor> pieces;
    for (std::size_t i : buckets_[b]) {
      const torch::Tensor& grad = parameters_[i].grad();
      pieces.push_back(grad.defined() ? grad.reshape(-1) : torch::zeros({parameters_[i].numel()}, options));
    }
    if (b == 0) pieces.push_back(counts_local.to(options.dtype()));
    std::vector<torch::Tensor> flat{torch::cat(pieces)};
    group.all_reduce_sum(flat);
    if (b == 0) {
      const torch::Tensor tail = flat[0].slice(0, flat[0].numel() - static_cast<std::int64_t>(had.size())).to(torch::kCPU, torch::kFloat32);
      counts.assign(tail.data_ptr<float>(), tail.data_ptr<float>() + tail.numel());
    }
    std::int64_t offset = 0;
    for (std::size_t i : buckets_[b]) {
      const std::int64_t size = parameters_[i].numel();
      const torch::Tensor summed = flat[0].slice(0, offset, offset + size).view_as(parameters_[i]);
      offset += size;
      if (counts[i] == 0.0f) continue;  // no rank had a gradient for it
      torch::Tensor& grad = parameters_[i].mutable_grad();
      if (grad.defined()) {
        grad.copy_(summed);
      } else {
        grad = summed.clone();
      }
    }
  }
}

void broadcast_parameters(RankGroup& group, const std::vector<torch::Tensor>& parameters) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat{torch::cat([&] {
    std::vector<torch::Tensor> pieces;
    for (const auto& parameter : parameters) pieces.push_back(parameter.detach().reshape(-1));
    return pieces;
  }())};
  group.broadcast_from_rank0(flat);
  std::int64_t offset = 0;
  for (const auto& parameter : parameters) {
    const std::int64_t size = parameter.numel();
    parameter.detach().copy_(flat[0].slice(0, offset, offset + size).view_as(parameter));
    offset += size;
  }
}

}  // namespace dw::model
