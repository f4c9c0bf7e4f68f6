// The frame decoder seam: dynamics features (+ the previous frame) -> the next frame. The engine
// calls a decoder only through this interface, so a new one (a few-step generative sampler, say)
// is one new file plus a DecoderType entry: it brings its own training loss, draws any noise
// from the per-trajectory streams it is given, and returns the frame that is shown and fed back
// as the next step's previous frame. Implementations: mean (model/decoder_mean.cpp) and warp
// (model/decoder_warp.cpp).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "model/config.h"

namespace dw::model {

struct DecodedFrame {
  torch::Tensor frame;  // [N,3,H,W] in [0,1]: shown, and the next step's previous frame
  torch::Tensor loss;   // with a target: the training loss, summed per frame, mean over the batch
  torch::Tensor mse;    // with a target: per-pixel MSE of `frame`, for reporting
  torch::Tensor anchor_track;  // decoder.track_anchor: where this frame's pixels sit in the anchor (see PreviousFrames)
};

// What a decoder may draw on besides the features: the frame before (observed or imagined) and
// the last observed one (the anchor; only decoders that ask for it use it). Both [N,3,H,W] in
// [0,1], or undefined before the first frame. `anchor_track` [N,3,H,W] (decoder.track_anchor):
// for each pixel of the last frame, the flow (dx, dy) at which it samples the anchor, composed
// from every step's flow since the anchor was seen, and a weight (1 = that anchor pixel is in
// view); undefined = the identity (the last frame is the anchor).
// The identity track for frames shaped like `frame` [N,3,H,W]: zero flow, every pixel in view.
torch::Tensor identity_anchor_track(const torch::Tensor& frame);

struct PreviousFrames {
  torch::Tensor last;
  torch::Tensor anchor;
  torch::Tensor anchor_track;
  PreviousFrames(torch::Tensor last_frame, torch::Tensor anchor_frame = {},  // NOLINT: a frame is a PreviousFrames
                 torch::Tensor track = {})
      : last(std::move(last_frame)), anchor(std::move(anchor_frame)), anchor_track(std::move(track)) {}
};

class FrameDecoder : public torch::nn::Module {
 public:
  // features [N,F,h,w] from the dynamics core; target [N,3,H,W] (undefined at inference); noise:
  // one stream per trajectory.
  virtual DecodedFrame decode(const torch::Tensor& features, const PreviousFrames& previous,
                              const torch::Tensor& target, std::vector<at::Generator>& noise) = 0;
};

std::shared_ptr<FrameDecoder> make_decoder(const ModelConfig& config, int feature_channels);

// Samples frame [N,C,H,W] at (x + dx, y + dy) for flow [N,2,H,W] in normalised units (2 = the
// whole width or height), bilinear, clamped at the border. A zero flow returns the frame.
torch::Tensor warp_frame(const torch::Tensor& frame, const torch::Tensor& flow, Resample resample = Resample::bilinear);

// [N,2,H,W]: the centre (x, y) of every pixel of `like` [N,C,H,W] in warp_frame's normalised units.
torch::Tensor pixel_centres(const torch::Tensor& like);

// The loss and MSE of a mean decoder's frame: squared error (plus the config's gradient loss)
// summed per frame (the KL's nat scale), mean over the batch.
DecodedFrame score_mean_frame(torch::Tensor frame, const torch::Tensor& target, const DecoderConfig& config);

// Decoder stage widths, coarsest first: the encoder's mirrored, plus the full-resolution stage,
// which works on 4x the pixels of the one before and so gets half its channels.
std::vector<int> decoder_channels(const ModelConfig& config);

// The stem (features -> first stage) and the stride-2 upsampling stages every conv decoder has,
// registered on `owner` as "stem" and "upsample" (the checkpoint's tensor names).
struct UpsamplingPath {
  torch::nn::Sequential stem{nullptr};
  torch::nn::ModuleList stages{nullptr};
  UpsamplingPath(torch::nn::Module& owner, const ModelConfig& config, int feature_channels);
};

}  // namespace dw::model
