#include "model/data_parallel.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "model/torch_simulator.h"
#include "nav/base/user_error.h"

namespace dw::model {

namespace {

BatchShard checked_shard(std::int64_t global_batch, const DistributedOptions& options) {
  if (global_batch < options.world_size) {
    throw UserError(fmt::format("--batch {}: a global batch of {} cannot be split over {} ranks (each needs a row)",
                                global_batch, global_batch, options.world_size));
  }
  return shard_of(global_batch, options.rank, options.world_size);
}

}  // namespace

std::string run_handshake(const TrainOptions& options, const CheckpointMeta& meta, std::int64_t train_windows) {
  nlohmann::json handshake;
  handshake["world_size"] = options.distributed.world_size;
  handshake["backend"] = options.distributed.backend;
  handshake["device"] = options.device;
  handshake["config"] = meta.config;
  handshake["action_dimension"] = meta.schema.dimension();
  handshake["seed"] = meta.seed;
  handshake["resume"] = options.resume;
  handshake["step"] = meta.step;
  handshake["sampler_batches"] = meta.sampler_batches;
  handshake["weights_hash"] = meta.weights_hash;
  handshake["steps"] = options.steps;
  handshake["minutes"] = options.minutes;
  handshake["train_windows"] = train_windows;
  return handshake.dump();
}

torch::Device rank_device(const std::string& device, const DistributedOptions& distributed) {
  const torch::Device chosen = choose_device(device);
  if (chosen.is_cuda() && distributed.is_distributed()) {
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(distributed.local_rank)};
  }
  return chosen;
}

DataParallel::DataParallel(const DistributedOptions& options, const torch::Device& device, const std::string& handshake,
                           std::int64_t global_batch)
    : shard_(checked_shard(global_batch, options)), group_(options, device, handshake) {}

WindowTensors DataParallel::shard_rows(const WindowTensors& global) const {
  return {global.frames.slice(0, shard_.begin, shard_.end), global.actions.slice(0, shard_.begin, shard_.end)};
}

ShardedLoss DataParallel::sharded_loss() {
  ShardedLoss sharded;
  sharded.shard = shard_;
  sharded.sum_over_ranks = [this](const torch::Tensor& local) {
    std::vector<torch::Tensor> summed{local.contiguous().clone()};
    group_.all_reduce_sum(summed);
    return summed[0];
  };
  return sharded;
}

void DataParallel::broadcast_parameters(const std::vector<torch::Tensor>& parameters) {
  model::broadcast_parameters(group_, parameters);
}

void DataParallel::all_reduce_gradients(const std::vector<torch::Tensor>& parameters) {
  if (!buckets_) buckets_ = std::make_unique<GradientBuckets>(parameters);
  const auto start = std::chrono::steady_clock::now();
  buckets_->all_reduce(group_);
  gradient_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

StepAgreement DataParallel::agree(const LossTerms& terms, bool stop_requested, bool time_is_up) {
  // The shards' shares of the loss without its KL part (which is already global), of the MSE and
  // of the KL sum to the global values; the votes count the ranks that want to stop.
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  std::vector<torch::Tensor> votes{torch::stack({(terms.total - terms.kl_term).detach().to(torch::kCPU, torch::kFloat64),
                                                 terms.open_loop_mse.detach().to(torch::kCPU, torch::kFloat64),
                                                 terms.kl.detach().to(torch::kCPU, torch::kFloat64),
                                                 torch::tensor(stop_requested ? 1.0 : 0.0, options),
                                                 torch::tensor(time_is_up ? 1.0 : 0.0, options)})
                                       .to(terms.total.device())};
  group_.all_reduce_sum(votes);
  const torch::Tensor summed = votes[0].cpu();
  const double* value = summed.data_ptr<double>();
  StepAgreement agreement;
  agreement.total = value[0] + terms.kl_term.item<double>();
  agreement.open_loop_mse = value[1];
  agreement.kl = value[2];
  agreement.stop_requested = value[3] > 0.0;
  agreement.time_is_up = value[4] > 0.0;
  return agreement;
}

}  // namespace dw::model
