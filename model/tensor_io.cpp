#include "model/tensor_io.h"

#include <cstring>

#include "nav/base/user_error.h"

namespace dw::model {
namespace {

// uint8 [..., H, W, 3] -> float [..., 3, H, W] in [0,1].
torch::Tensor pixels_to_float(torch::Tensor pixels, const torch::Device& device) {
  pixels = pixels.to(device);
  const int64_t dims = pixels.dim();
  std::vector<int64_t> order;
  for (int64_t d = 0; d < dims - 3; ++d) order.push_back(d);
  order.insert(order.end(), {dims - 1, dims - 3, dims - 2});
  return pixels.permute(order).to(torch::kFloat32).div(255.0).contiguous();
}

}  // namespace

WindowTensors to_tensors(const data::WindowBatch& batch, const torch::Device& device) {
  const int64_t expected = int64_t{batch.batch} * batch.time * batch.height * batch.width * 3;
  TORCH_CHECK(static_cast<int64_t>(batch.frames.size()) == expected, "window batch frame buffer size");
  WindowTensors tensors;
  auto pixels = torch::from_blob(const_cast<std::uint8_t*>(batch.frames.data()),
                                 {batch.batch, batch.time, batch.height, batch.width, 3}, torch::kUInt8);
  tensors.frames = pixels_to_float(pixels.clone(), device);
  const int64_t steps = std::max(batch.time - 1, 0);
  auto actions = torch::zeros({batch.batch, steps, batch.action_dim}, torch::kFloat32);
  if (actions.numel() > 0) {
    TORCH_CHECK(static_cast<int64_t>(batch.actions.size()) == actions.numel(), "window batch action size");
    std::memcpy(actions.data_ptr<float>(), batch.actions.data(), sizeof(float) * actions.numel());
  }
  tensors.actions = actions.to(device);
  return tensors;
}

torch::Tensor images_to_tensor(const std::vector<Image>& images, const torch::Device& device) {
  if (images.empty()) throw UserError("no images given");
  const int width = images.front().width;
  const int height = images.front().height;
  auto pixels = torch::empty({static_cast<int64_t>(images.size()), height, width, 3}, torch::kUInt8);
  auto* out = pixels.data_ptr<std::uint8_t>();
  const size_t frame_bytes = static_cast<size_t>(width) * height * 3;
  for (size_t i = 0; i < images.size(); ++i) {
    if (!images[i].same_size(images.front())) throw UserError("images differ in size");
    std::memcpy(out + i * frame_bytes, images[i].pixels.data(), frame_bytes);
  }
  return pixels_to_float(pixels, device);
}

std::vector<Image> tensor_to_images(const torch::Tensor& frames) {
  auto pixels = frames.detach().to(torch::kCPU, torch::kFloat32).clamp(0.0, 1.0).mul(255.0).round()
                    .to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous();
  const int count = static_cast<int>(pixels.size(0));
  const int height = static_cast<int>(pixels.size(1));
  const int width = static_cast<int>(pixels.size(2));
  std::vector<Image> images;
  images.reserve(count);
  const auto* data = pixels.data_ptr<std::uint8_t>();
  const size_t frame_bytes = static_cast<size_t>(width) * height * 3;
  for (int i = 0; i < count; ++i) {
    Image image(width, height);
    std::memcpy(image.pixels.data(), data + i * frame_bytes, frame_bytes);
    images.push_back(std::move(image));
  }
  return images;
}

torch::Tensor actions_to_tensor(const std::vector<std::vector<float>>& actions, int dimension,
                                const torch::Device& device) {
  auto tensor = torch::zeros({static_cast<int64_t>(actions.size()), dimension}, torch::kFloat32);
  float* out = tensor.data_ptr<float>();
  for (size_t i = 0; i < actions.size(); ++i) {
    if (static_cast<int>(actions[i].size()) != dimension) {
      throw UserError("action has " + std::to_string(actions[i].size()) + " values, the model expects " +
                      std::to_string(dimension));
    }
    for (int d = 0; d < dimension; ++d) {
      const float value = actions[i][d];
      if (!(value >= -1.0f && value <= 1.0f)) throw UserError("action values must be in [-1, 1]");
      out[i * dimension + d] = value;
    }
  }
  return tensor.to(device);
}

}  // namespace dw::model
