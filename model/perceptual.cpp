#include "model/perceptual.h"

#include <torch/script.h>

#include "model/tensor_io.h"
#include "nav/base/user_error.h"

namespace dw::model {

namespace {

class TorchScriptMetric : public PerceptualMetric {
 public:
  TorchScriptMetric(torch::jit::script::Module module, std::filesystem::path path)
      : module_(std::move(module)), path_(std::move(path)) {
    module_.eval();
  }

  double distance(const Image& a, const Image& b) override {
    torch::NoGradGuard no_grad;
    // The LPIPS convention: inputs scaled to [-1, 1].
    const torch::Tensor ta = images_to_tensor({a}, torch::kCPU) * 2 - 1;
    const torch::Tensor tb = images_to_tensor({b}, torch::kCPU) * 2 - 1;
    try {
      const torch::Tensor result = module_.forward({ta, tb}).toTensor();
      return result.mean().item<double>();
    } catch (const c10::Error& error) {
      throw UserError(path_.string() + ": the perceptual module failed on a frame pair (" +
                      error.what_without_backtrace() + ")");
    }
  }

 private:
  torch::jit::script::Module module_;
  std::filesystem::path path_;
};

}  // namespace

std::unique_ptr<PerceptualMetric> PerceptualMetric::load(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw UserError(path.string() + ": perceptual module file not found");
  try {
    return std::make_unique<TorchScriptMetric>(torch::jit::load(path.string()), path);
  } catch (const c10::Error&) {
    throw UserError(path.string() + ": not a loadable TorchScript module");
  }
}

}  // namespace dw::model
