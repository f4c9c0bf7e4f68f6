// The warping decoder: from the features it predicts a flow, warps the previous frame by it,
// feeds the warped frame in through skips at every resolution and outputs it plus a correction
// in logit space, so what simply moves is carried over and copying is free. (Skips alone, or
// skips plus the correction without the warp, were measured and learned several times slower.)
#include <algorithm>

#include "model/decoder_warp.h"
#include "model/layers.h"

namespace dw::model {
namespace {

namespace nn = torch::nn;

// Skip i sits at full resolution / 2^i: the frame itself, then the width of the decoder stage there.
std::vector<int> skip_channels(const ModelConfig& config) {
  std::vector<int> widths = decoder_channels(config);
  std::reverse(widths.begin(), widths.end());  // finest first
  std::vector<int> channels{3};
  for (size_t i = 1; i + 1 < widths.size(); ++i) channels.push_back(widths[i]);
  return channels;
}

// Coarse maps (flows, masks) bilinearly upsampled to the frame's resolution.
torch::Tensor upsample_like(const torch::Tensor& coarse, const torch::Tensor& frame) {
  namespace F = nn::functional;
  return F::interpolate(coarse, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{frame.size(2), frame.size(3)})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

// Zero weights and bias: a flow head starts at the identity warp (and a mask at an even blend).
void start_at_zero(nn::Conv2d& head) {
  torch::NoGradGuard no_grad;
  head->weight.zero_();
  head->bias.zero_();
}

}  // namespace

// The previous frame at every decoder resolution, finest first ([N,3,H,W] centred, then one
// stride-2 stage per decoder stage above the latent map).
class FrameSkipsImpl : public nn::Module {
 public:
  explicit FrameSkipsImpl(const ModelConfig& config) {
    const std::vector<int> channels = skip_channels(config);
    stages_ = register_module("stages", nn::ModuleList());
    for (size_t i = 1; i < channels.size(); ++i) {
      stages_->push_back(nn::Sequential(down(channels[i - 1], channels[i]), nn::SiLU()));
    }
  }

  std::vector<torch::Tensor> forward(const torch::Tensor& frame) {
    std::vector<torch::Tensor> skips{frame * 2.0 - 1.0};
    for (const auto& stage : *stages_) skips.push_back(stage->as<nn::Sequential>()->forward(skips.back()));
    return skips;
  }

 private:
  nn::ModuleList stages_{nullptr};
};

WarpDecoder::WarpDecoder(const ModelConfig& config, int feature_channels)
    : config_(config), path_(*this, config, feature_channels) {
  const std::vector<int> channels = decoder_channels(config);
  skips_ = register_module("skips", std::make_shared<FrameSkipsImpl>(config));
  const std::vector<int> skips = skip_channels(config);
  fuse_ = register_module("fuse", nn::ModuleList());
  const size_t stages = channels.size() - 1;
  for (size_t i = 0; i < stages; ++i) {
    const int width = channels[i + 1];
    const int skip = skips[stages - 1 - i];  // skips are finest first
    fuse_->push_back(nn::Sequential(conv(width + skip, width, 3), nn::SiLU()));
  }
  flow_ = register_module("flow", conv(channels[1], 2, 3));
  start_at_zero(flow_);
  if (config.decoder.anchor) {
    anchor_ = register_module("anchor", conv(channels[1] + 6, 3, 3));  // + the two frames, coarse
    start_at_zero(anchor_);
  }
  head_ = register_module("head", conv(channels.back(), 3, 3));
}

int WarpDecoder::hidden_channels() const { return decoder_channels(config_).back(); }

WarpedPrediction WarpDecoder::predict(const torch::Tensor& features, const PreviousFrames& previous) {
  // No frame yet (the very first one of a window): a grey frame.
  const torch::Tensor frame =
      previous.last.defined()
          ? previous.last.to(features.scalar_type())
          : torch::full({features.size(0), 3, config_.height, config_.width}, 0.5, features.options());
  torch::Tensor x = path_.stem->forward(features);
  torch::Tensor warped;
  std::vector<torch::Tensor> skips;
  const size_t stages = path_.stages->size();
  for (size_t i = 0; i < stages; ++i) {
    x = path_.stages[i]->as<nn::Sequential>()->forward(x);
    if (i == 0) {
      warped = warp(frame, x);
      if (anchor_ && previous.anchor.defined()) warped = blend_anchor(warped, previous.anchor, x);
      skips = skips_->forward(warped);
    }
    x = fuse_[i]->as<nn::Sequential>()->forward(torch::cat({x, skips.at(stages - 1 - i)}, 1));
  }
  torch::Tensor correction = head_->forward(x);
  // The warped frame plus a correction in logit space: stays in (0,1), and copying is free.
  return {torch::sigmoid(torch::logit(warped.clamp(0.02, 0.98)) + correction), x};
}

DecodedFrame WarpDecoder::decode(const torch::Tensor& features, const PreviousFrames& previous,
                                 const torch::Tensor& target, std::vector<at::Generator>& /*noise*/) {
  return score_mean_frame(predict(features, previous).frame, target, config_.decoder);
}

// The flow is predicted on the first upsampled stage and smoothly upsampled: a camera step
// moves most of the picture coherently.
torch::Tensor WarpDecoder::warp(const torch::Tensor& frame, const torch::Tensor& coarse_features) {
  return warp_frame(frame, upsample_like(flow_->forward(coarse_features), frame), config_.decoder.resample);
}

// The anchor warped by its own flow, blended into the warped previous frame per pixel: where the
// last true frame still shows the place, its sharp pixels can replace the re-warped ones. The
// flow and the mask are predicted from the features and both frames at the features' resolution:
// the features alone do not say where the anchor's pixels went.
torch::Tensor WarpDecoder::blend_anchor(const torch::Tensor& warped, const torch::Tensor& anchor,
                                        const torch::Tensor& coarse_features) {
  const torch::Tensor anchor_frame = anchor.to(warped.scalar_type());
  const auto coarse = [&](const torch::Tensor& frame) {
    return torch::adaptive_avg_pool2d(frame, {coarse_features.size(2), coarse_features.size(3)}) * 2.0 - 1.0;
  };
  const torch::Tensor out =
      upsample_like(anchor_->forward(torch::cat({coarse_features, coarse(anchor_frame), coarse(warped)}, 1)), warped);
  const torch::Tensor from_anchor = warp_frame(anchor_frame, out.slice(1, 0, 2), config_.decoder.resample);
  const torch::Tensor mask = torch::sigmoid(out.slice(1, 2, 3));
  return mask * from_anchor + (1.0 - mask) * warped;
}

std::shared_ptr<FrameDecoder> make_warp_decoder(const ModelConfig& config, int feature_channels) {
  return std::make_shared<WarpDecoder>(config, feature_channels);
}

}  // namespace dw::model
