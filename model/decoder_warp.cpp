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

// 1 where a sampling position [N,2,H,W] falls inside the frame, else 0 ([N,1,H,W]).
torch::Tensor inside_frame(const torch::Tensor& position) {
  return (position.abs() <= 1.0).all(1, true).to(position.scalar_type());
}

// The anchor track after one more step whose flow samples the last frame at x + step_flow(x):
// that pixel of the last frame sat at its own track's flow in the anchor, so the flows add (the
// last track read at the new position), and the weight falls to 0 where either position leaves
// the frame. `previous` undefined = the identity (the last frame is the anchor).
torch::Tensor compose_track(const torch::Tensor& previous, const torch::Tensor& step_flow) {
  const torch::Tensor centres = pixel_centres(step_flow);
  torch::Tensor carried_flow = torch::zeros_like(step_flow);
  torch::Tensor carried_weight = torch::ones_like(step_flow.slice(1, 0, 1));
  if (previous.defined()) {
    const torch::Tensor carried = warp_frame(previous.to(step_flow.scalar_type()), step_flow, Resample::bilinear);
    carried_flow = carried.slice(1, 0, 2);
    carried_weight = carried.slice(1, 2, 3);
  }
  const torch::Tensor flow = step_flow + carried_flow;
  const torch::Tensor weight = carried_weight * inside_frame(centres + step_flow) * inside_frame(centres + flow);
  return torch::cat({flow, weight}, 1);
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
  torch::Tensor track;
  std::vector<torch::Tensor> skips;
  const size_t stages = path_.stages->size();
  for (size_t i = 0; i < stages; ++i) {
    x = path_.stages[i]->as<nn::Sequential>()->forward(x);
    if (i == 0) {
      const torch::Tensor flow = upsample_like(flow_->forward(x), frame);
      warped = warp(frame, flow);
      if (anchor_ && previous.anchor.defined()) warped = blend_anchor(warped, previous.anchor, x);
      if (config_.decoder.track_anchor && previous.anchor.defined()) {
        warped = track_anchor(warped, previous, flow, track);
      }
      skips = skips_->forward(warped);
    }
    x = fuse_[i]->as<nn::Sequential>()->forward(torch::cat({x, skips.at(stages - 1 - i)}, 1));
  }
  torch::Tensor correction = head_->forward(x);
  // The warped frame plus a correction in logit space: stays in (0,1), and copying is free.
  return {torch::sigmoid(torch::logit(warped.clamp(0.02, 0.98)) + correction), x, track};
}

DecodedFrame WarpDecoder::decode(const torch::Tensor& features, const PreviousFrames& previous,
                                 const torch::Tensor& target, std::vector<at::Generator>& /*noise*/) {
  WarpedPrediction prediction = predict(features, previous);
  DecodedFrame out = score_mean_frame(prediction.frame, target, config_.decoder);
  out.anchor_track = prediction.anchor_track;
  return out;
}

// The flow is predicted on the first upsampled stage and smoothly upsampled (`flow` is already
// at the frame's resolution): a camera step moves most of the picture coherently.
torch::Tensor WarpDecoder::warp(const torch::Tensor& frame, const torch::Tensor& flow) {
  return warp_frame(frame, flow, config_.decoder.resample);
}

// The anchor sampled once through the composed track, wherever its pixel is still in view; the
// re-warped last frame elsewhere (what came into view since the anchor was seen). Sets `track`.
torch::Tensor WarpDecoder::track_anchor(const torch::Tensor& warped, const PreviousFrames& previous,
                                        const torch::Tensor& flow, torch::Tensor& track) {
  track = compose_track(previous.anchor_track, flow);
  const torch::Tensor from_anchor = warp(previous.anchor.to(warped.scalar_type()), track.slice(1, 0, 2));
  const torch::Tensor weight = track.slice(1, 2, 3);
  return weight * from_anchor + (1.0 - weight) * warped;
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
