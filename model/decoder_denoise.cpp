// The denoise decoder: the warp decoder's frame (trained by squared error as before, so layout
// and motion are learned the same way) plus a residual drawn by a few-step EDM denoiser
// conditioned on that frame and the warp decoder's full-resolution features. Where the future is
// uncertain the mean frame is the average of the possibilities, a grey fog after a few imagined
// steps; the residual puts one sharp possibility back, and it is fed back as the next previous
// frame, so the warp carries the detail on. The denoiser sees its inputs detached: its loss
// trains it alone and cannot pull the world model towards what is easy to denoise.
#include "model/decoder_warp.h"
#include "model/denoiser.h"

namespace dw::model {
namespace {

class DenoiseDecoder final : public FrameDecoder {
 public:
  DenoiseDecoder(const ModelConfig& config, int feature_channels) : config_(config.decoder) {
    mean_ = register_module("mean", std::make_shared<WarpDecoder>(config, feature_channels));
    denoiser_ = register_module("denoiser", ResidualDenoiser(3 + mean_->hidden_channels(), config.decoder.denoise_channels));
  }

  DecodedFrame decode(const torch::Tensor& features, const PreviousFrames& previous, const torch::Tensor& target,
                      std::vector<at::Generator>& noise) override {
    const WarpedPrediction mean = mean_->predict(features, previous);
    const torch::Tensor condition = torch::cat({mean.frame * 2.0 - 1.0, mean.hidden}, 1).detach();
    if (!target.defined()) {
      const torch::Tensor residual = denoiser_->sample(condition, config_.denoise_steps, noise);
      return {(mean.frame + 0.5 * residual).clamp(0.0, 1.0), {}, {}, mean.anchor_track};
    }
    // Training: the frame fed back is the mean (sampling every step would multiply the cost),
    // and the denoiser learns the residual on a seeded share of the rows.
    DecodedFrame out = score_mean_frame(mean.frame, target, config_);
    out.anchor_track = mean.anchor_track;
    std::vector<std::int64_t> rows;
    std::vector<at::Generator> streams;
    for (std::int64_t b = 0; b < target.size(0); ++b) {
      const float draw = torch::rand({1}, noise[b]).item<float>();
      if (draw < config_.denoise_fraction) {
        rows.push_back(b);
        streams.push_back(noise[b]);
      }
    }
    if (rows.empty()) return out;
    const torch::Tensor index = torch::tensor(rows, torch::TensorOptions().dtype(torch::kLong).device(target.device()));
    const torch::Tensor residual = (target.index_select(0, index) - mean.frame.detach().index_select(0, index)) * 2.0;
    out.loss = out.loss + denoiser_->loss(residual, condition.index_select(0, index), streams);
    return out;
  }

 private:
  DecoderConfig config_;
  std::shared_ptr<WarpDecoder> mean_;
  ResidualDenoiser denoiser_{nullptr};
};

}  // namespace

std::shared_ptr<FrameDecoder> make_denoise_decoder(const ModelConfig& config, int feature_channels) {
  return std::make_shared<DenoiseDecoder>(config, feature_channels);
}

}  // namespace dw::model
