// The mean decoder: the frame from the dynamics features alone, trained with squared error, so
// it predicts the average of the possible next frames.
#include "model/frame_decoder.h"
#include "model/layers.h"

namespace dw::model {
namespace {

class MeanDecoder final : public FrameDecoder {
 public:
  MeanDecoder(const ModelConfig& config, int feature_channels)
      : config_(config.decoder), path_(*this, config, feature_channels) {
    head_ = register_module("head", conv(decoder_channels(config).back(), 3, 3));
  }

  DecodedFrame decode(const torch::Tensor& features, const PreviousFrames& /*previous*/,
                      const torch::Tensor& target, std::vector<at::Generator>& /*noise*/) override {
    torch::Tensor x = path_.stem->forward(features);
    for (const auto& stage : *path_.stages) x = stage->as<torch::nn::Sequential>()->forward(x);
    return score_mean_frame(torch::sigmoid(head_->forward(x)), target, config_);
  }

 private:
  DecoderConfig config_;
  UpsamplingPath path_;
  torch::nn::Conv2d head_{nullptr};
};

}  // namespace

std::shared_ptr<FrameDecoder> make_mean_decoder(const ModelConfig& config, int feature_channels) {
  return std::make_shared<MeanDecoder>(config, feature_channels);
}

}  // namespace dw::model
