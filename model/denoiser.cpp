#include "model/denoiser.h"

#include <cmath>

#include "model/imagination.h"
#include "model/layers.h"

namespace dw::model {
namespace {

namespace nn = torch::nn;

// Scales of the noise for residuals in [-1, 1] units: the typical residual's
// size, the range of training noise levels (log-normal) and of the sampler's levels.
constexpr double kSigmaData = 0.25;
constexpr double kTrainLogSigmaMean = -1.4;
constexpr double kTrainLogSigmaStd = 1.2;
constexpr double kSigmaMax = 1.0;
constexpr double kSigmaMin = 0.05;
constexpr double kRho = 7.0;
constexpr double kMaxWeight = 5.0;  // min-SNR's gamma  // the schedule's curvature: more steps spent at low noise
constexpr int kEmbedding = 64;
constexpr int kNoiseFeatures = 9;  // the level itself plus sin/cos at four frequencies

// c_noise = ln(sigma) / 4 as features the network can use: [N] -> [N, kNoiseFeatures].
torch::Tensor noise_features(const torch::Tensor& sigma) {
  const torch::Tensor level = torch::log(sigma).unsqueeze(1) / 4.0;
  std::vector<torch::Tensor> features{level};
  for (double frequency : {1.0, 2.0, 4.0, 8.0}) {
    features.push_back(torch::sin(level * frequency));
    features.push_back(torch::cos(level * frequency));
  }
  return torch::cat(features, 1);
}

// FiLM: the noise level scales and shifts each block's channels.
torch::Tensor modulate(const torch::Tensor& x, const torch::Tensor& embedding, nn::LinearImpl& modulation) {
  const auto parts = modulation.forward(embedding).chunk(2, 1);
  return torch::silu(x * (1.0 + parts[0].unsqueeze(2).unsqueeze(3)) + parts[1].unsqueeze(2).unsqueeze(3));
}

}  // namespace

std::vector<double> sampling_sigmas(int steps) {
  std::vector<double> sigmas;
  const double high = std::pow(kSigmaMax, 1.0 / kRho), low = std::pow(kSigmaMin, 1.0 / kRho);
  for (int i = 0; i < steps; ++i) {
    const double t = steps == 1 ? 0.0 : static_cast<double>(i) / (steps - 1);
    sigmas.push_back(std::pow(high + t * (low - high), kRho));
  }
  sigmas.push_back(0.0);
  return sigmas;
}

ResidualDenoiserImpl::ResidualDenoiserImpl(int condition_channels, const std::vector<int>& channels) {
  const int fine = channels.at(0), coarse = channels.at(1);
  const int blocks_in = 4 * (3 + condition_channels);  // 2x2 pixel blocks of [noisy, condition]
  embed_ = register_module("embed", nn::Linear(kNoiseFeatures, kEmbedding));
  in_ = register_module("in", conv(blocks_in, fine, 3));
  down_ = register_module("down", down(fine, coarse));
  middle_ = register_module("middle", conv(coarse, coarse, 3));
  up_ = register_module("up", up(coarse, fine));
  fuse_ = register_module("fuse", conv(2 * fine, fine, 3));
  out_ = register_module("out", conv(fine, 12, 3));
  modulations_ = register_module("modulations", nn::ModuleList());
  for (int width : {fine, coarse, coarse, fine}) modulations_->push_back(nn::Linear(kEmbedding, 2 * width));
  torch::NoGradGuard no_grad;  // start at zero: the mean frame
  out_->weight.zero_();
  out_->bias.zero_();
}

torch::Tensor ResidualDenoiserImpl::network(const torch::Tensor& input, const torch::Tensor& noise_level) {
  const torch::Tensor embedding = torch::silu(embed_->forward(noise_features(noise_level)));
  auto film = [&](const torch::Tensor& x, size_t block) {
    return modulate(x, embedding, *modulations_[block]->as<nn::LinearImpl>());
  };
  const torch::Tensor fine = film(in_->forward(torch::pixel_unshuffle(input, 2)), 0);
  torch::Tensor coarse = film(down_->forward(fine), 1);
  coarse = film(middle_->forward(coarse), 2);
  const torch::Tensor merged = torch::cat({torch::silu(up_->forward(coarse)), fine}, 1);
  return torch::pixel_shuffle(out_->forward(film(fuse_->forward(merged), 3)), 2);
}

torch::Tensor ResidualDenoiserImpl::denoise(const torch::Tensor& noisy, const torch::Tensor& sigma,
                                            const torch::Tensor& condition) {
  // The network predicts the clean residual itself (no skip of the noisy input, unlike EDM's
  // preconditioning): untrained, its zero output leaves the mean frame alone instead of passing
  // the sampler's noise through, so a young denoiser blurs like the mean decoder rather than
  // covering the frame in noise (measured: with EDM's skip, 477 steps still gave noise).
  const torch::Tensor s = sigma.view({-1, 1, 1, 1});
  const torch::Tensor scale = (s.square() + kSigmaData * kSigmaData).rsqrt();
  return network(torch::cat({noisy * scale, condition}, 1), sigma);
}

torch::Tensor ResidualDenoiserImpl::loss(const torch::Tensor& clean, const torch::Tensor& condition,
                                         std::vector<at::Generator>& noise) {
  const torch::Tensor draw = per_trajectory_normal(clean.new_empty({clean.size(0), 1}), noise).view({-1});
  const torch::Tensor sigma = torch::exp(kTrainLogSigmaMean + kTrainLogSigmaStd * draw);
  const torch::Tensor noisy = clean + sigma.view({-1, 1, 1, 1}) * per_trajectory_normal(clean, noise);
  // Min-SNR weighting (Hang et al. 2023) of the squared error: the signal-to-noise ratio,
  // capped so the nearly clean levels do not take over; in units of the residual's variance.
  const torch::Tensor s = sigma.view({-1, 1, 1, 1});
  const torch::Tensor weight = torch::clamp_max(kSigmaData * kSigmaData / s.square(), kMaxWeight) / (kSigmaData * kSigmaData);
  return (weight * (denoise(noisy, sigma, condition) - clean).square()).mean();
}

torch::Tensor ResidualDenoiserImpl::sample(const torch::Tensor& condition, int steps, std::vector<at::Generator>& noise) {
  const std::vector<double> sigmas = sampling_sigmas(steps);
  const std::int64_t n = condition.size(0);
  torch::Tensor x = sigmas.front() * per_trajectory_normal(condition.new_empty({n, 3, condition.size(2), condition.size(3)}), noise);
  for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
    const torch::Tensor estimate = denoise(x, torch::full({n}, sigmas[i], condition.options()), condition);
    // Euler step of the probability-flow ODE; the last one lands on the estimate itself.
    x = estimate + (sigmas[i + 1] / sigmas[i]) * (x - estimate);
  }
  return x;
}

}  // namespace dw::model
