// The warping decoder (see decoder_warp.cpp), public inside model/ so the denoise decoder can
// build on its frame and its full-resolution features.
#pragma once

#include "model/frame_decoder.h"

namespace dw::model {

struct WarpedPrediction {
  torch::Tensor frame;   // [N,3,H,W] in (0,1): the warped previous frame plus the correction
  torch::Tensor hidden;  // [N,C,H,W]: the last full-resolution stage, what the head saw
  torch::Tensor anchor_track;  // decoder.track_anchor: the track of this frame (PreviousFrames)
};

class FrameSkipsImpl;

class WarpDecoder final : public FrameDecoder {
 public:
  WarpDecoder(const ModelConfig& config, int feature_channels);

  WarpedPrediction predict(const torch::Tensor& features, const PreviousFrames& previous);
  DecodedFrame decode(const torch::Tensor& features, const PreviousFrames& previous, const torch::Tensor& target,
                      std::vector<at::Generator>& noise) override;
  int hidden_channels() const;

 private:
  torch::Tensor warp(const torch::Tensor& frame, const torch::Tensor& flow);
  torch::Tensor track_anchor(const torch::Tensor& warped, const PreviousFrames& previous, const torch::Tensor& flow,
                             torch::Tensor& track);
  torch::Tensor blend_anchor(const torch::Tensor& warped, const torch::Tensor& anchor, const torch::Tensor& coarse_features);

  ModelConfig config_;
  UpsamplingPath path_;
  std::shared_ptr<FrameSkipsImpl> skips_;  // the warped frame at every resolution
  torch::nn::ModuleList fuse_{nullptr};    // [stage output, skip] -> stage channels
  torch::nn::Conv2d flow_{nullptr};        // first upsampled stage -> (dx, dy)
  torch::nn::Conv2d anchor_{nullptr};      // with decoder.anchor: first stage -> (dx, dy, mask logit)
  torch::nn::Conv2d head_{nullptr};
};

}  // namespace dw::model
