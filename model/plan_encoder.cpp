// The encoder feature space for planning costs: the checkpoint's own encoder, so "looks like the
// goal" is judged in the space the model learned (we ship no LPIPS).
#include <torch/torch.h>

#include "model/checkpoint.h"
#include "model/plan_model.h"
#include "model/tensor_io.h"
#include "model/torch_simulator.h"

namespace dw::model {

namespace {

class EncoderSpace final : public FrameSpace {
 public:
  EncoderSpace(WorldModel model, const torch::Device& device) : model_(std::move(model)), device_(device) {
    model_->to(device_);
    model_->eval();
  }
  std::string name() const override { return "embedding"; }

  std::vector<Features> embed(const std::vector<Image>& frames) override {
    torch::NoGradGuard no_grad;
    std::vector<Features> features;
    if (frames.empty()) return features;
    const torch::Tensor encoded =
        model_->encoder()->forward(images_to_tensor(frames, device_)).flatten(1).to(torch::kCPU).contiguous();
    const auto width = encoded.size(1);
    const float* data = encoded.data_ptr<float>();
    for (std::int64_t n = 0; n < encoded.size(0); ++n) features.emplace_back(data + n * width, data + (n + 1) * width);
    return features;
  }

 private:
  WorldModel model_;
  torch::Device device_;
};

}  // namespace

std::unique_ptr<FrameSpace> encoder_space(const std::filesystem::path& checkpoint, const std::string& device) {
  const torch::Device chosen = choose_device(device);
  const CheckpointFiles files = read_checkpoint_meta(resolve_run_dir(checkpoint));
  return std::make_unique<EncoderSpace>(load_weights(files, chosen), chosen);
}

// Here, beside encoder_space, so the torch-free plan_model.cpp needs no LibTorch.
std::unique_ptr<FrameSpace> make_frame_space(const std::string& name, const std::filesystem::path& checkpoint,
                                             const std::string& device) {
  check_cost_space(name);
  if (name == "pixels") return pixel_space();
  if (name == "layout") return layout_space();
  return encoder_space(checkpoint, device);
}

}  // namespace dw::model
