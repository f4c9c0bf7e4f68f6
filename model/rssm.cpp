// The recurrent state-space model over the latent map: a ConvGRU deterministic path h and a
// per-location Gaussian latent z with prior p(z|h) and posterior q(z|h,e). State: {h, z}.
#include "model/dynamics.h"
#include "model/layers.h"

namespace dw::model {

DynamicsState DynamicsState::clone() const {
  DynamicsState copy;
  for (const torch::Tensor& tensor : tensors) copy.tensors.push_back(tensor.defined() ? tensor.clone() : tensor);
  return copy;
}

namespace {

namespace nn = torch::nn;

// A convolutional GRU cell: the gates are 3x3 convolutions so the state stays a spatial map.
class ConvGruCellImpl : public nn::Module {
 public:
  ConvGruCellImpl(int input_channels, int state_channels) {
    gates_ = register_module("gates", conv(input_channels + state_channels, 2 * state_channels, 3));
    candidate_ = register_module("candidate", conv(input_channels + state_channels, state_channels, 3));
  }

  torch::Tensor forward(const torch::Tensor& input, const torch::Tensor& state) {
    auto gates = torch::sigmoid(gates_->forward(torch::cat({input, state}, 1))).chunk(2, 1);
    const torch::Tensor& reset = gates[0];
    const torch::Tensor& update = gates[1];
    torch::Tensor candidate = torch::tanh(candidate_->forward(torch::cat({input, reset * state}, 1)));
    return torch::lerp(state, candidate, update);
  }

 private:
  nn::Conv2d gates_{nullptr};      // reset + update from [input, state]
  nn::Conv2d candidate_{nullptr};  // candidate from [input, reset * state]
};
TORCH_MODULE(ConvGruCell);

enum { kH = 0, kZ = 1 };

class RssmCore final : public DynamicsCore {
 public:
  RssmCore(const ModelConfig& config, int action_dim) : config_(config), action_dim_(action_dim) {
    const int z = config.latent_channels;
    const int s = config.state_channels;
    const int hidden = config.hidden_channels;
    const int embedding = config.encoder_channels.back();
    // These names are the checkpoint's tensor names (the world model registers them unprefixed).
    input_ = register_module("input", nn::Sequential(conv(z + action_dim, hidden, 3), nn::SiLU()));
    cell_ = register_module("cell", ConvGruCell(hidden, s));
    prior_ = register_module("prior", nn::Sequential(conv(s, hidden, 3), nn::SiLU(), conv(hidden, 2 * z, 1)));
    posterior_ = register_module(
        "posterior", nn::Sequential(conv(s + embedding, hidden, 3), nn::SiLU(), conv(hidden, 2 * z, 1)));
  }

  DynamicsState initial_state(std::int64_t batch, const torch::Device& device) const override {
    auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    const std::int64_t height = config_.latent_height();
    const std::int64_t width = config_.latent_width();
    return {{torch::zeros({batch, config_.state_channels, height, width}, options),
             torch::zeros({batch, config_.latent_channels, height, width}, options)}};
  }

  DynamicsState advance(const DynamicsState& state, const torch::Tensor& action) override {
    const torch::Tensor& z = state.tensors.at(kZ);
    torch::Tensor input = z;
    if (action_dim_ > 0) {
      // Actions are global: broadcast each one over the latent map as a constant channel.
      auto planes = action.to(z.dtype()).view({action.size(0), action_dim_, 1, 1}).expand({-1, -1, z.size(2), z.size(3)});
      input = torch::cat({z, planes}, 1);
    }
    return {{cell_->forward(input_->forward(input), state.tensors.at(kH)), torch::Tensor()}};
  }

  Gaussian prior(const DynamicsState& state) override { return split(prior_->forward(state.tensors.at(kH))); }

  Gaussian posterior(const DynamicsState& state, const torch::Tensor& embedding) override {
    return split(posterior_->forward(torch::cat({state.tensors.at(kH), embedding}, 1)));
  }

  DynamicsState with_sample(const DynamicsState& state, const torch::Tensor& z) const override {
    return {{state.tensors.at(kH), z}};
  }

  torch::Tensor features(const DynamicsState& state) const override {
    return torch::cat({state.tensors.at(kH), state.tensors.at(kZ)}, 1);
  }
  int feature_channels() const override { return dynamics_feature_channels(config_); }

 private:
  Gaussian split(const torch::Tensor& stats) const {
    auto parts = stats.chunk(2, 1);
    return {parts[0], nn::functional::softplus(parts[1]) + config_.min_std};
  }

  ModelConfig config_;
  int action_dim_;
  nn::Sequential input_{nullptr};      // [z, action] -> GRU input
  ConvGruCell cell_{nullptr};
  nn::Sequential prior_{nullptr};      // h -> (mean, std)
  nn::Sequential posterior_{nullptr};  // [h, e] -> (mean, std)
};

}  // namespace

std::shared_ptr<DynamicsCore> make_dynamics(const ModelConfig& config, int action_dim) {
  switch (config.dynamics.type) {
    case DynamicsType::rssm:
      return std::make_shared<RssmCore>(config, action_dim);
  }
  throw std::logic_error("make_dynamics: unhandled dynamics type");
}

int dynamics_feature_channels(const ModelConfig& config) {
  switch (config.dynamics.type) {
    case DynamicsType::rssm:
      return config.state_channels + config.latent_channels;  // [h, z]
  }
  throw std::logic_error("dynamics_feature_channels: unhandled dynamics type");
}

}  // namespace dw::model
