// Our reader and writer of the safetensors format (so Python's safetensors/PyTorch can read our
// weights): 8-byte little-endian header length, a JSON header {name: {dtype, shape,
// data_offsets}} (+ optional "__metadata__"), then the raw little-endian tensor bytes.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>

namespace dw::model {

using TensorMap = std::map<std::string, torch::Tensor>;

// Writes atomically (temporary name, then rename). Tensors may live on any device.
void save_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// Reads every tensor onto the CPU. A truncated or malformed file throws UserError naming it.
TensorMap load_safetensors(const std::filesystem::path& path);

}  // namespace dw::model
