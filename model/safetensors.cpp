#include "model/safetensors.h"

#include <cstring>
#include <stdexcept>
#include <utility>
#include <nlohmann/json.hpp>

#include "model/safetensors_header.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::model {
namespace {

using nlohmann::json;

// Our safetensors dtypes as torch types: the names and sizes live in safetensors_header.cpp.
constexpr std::pair<SafetensorsDtype, torch::ScalarType> kTorchTypes[] = {
    {SafetensorsDtype::F32, torch::kFloat32}, {SafetensorsDtype::F64, torch::kFloat64},
    {SafetensorsDtype::F16, torch::kFloat16}, {SafetensorsDtype::BF16, torch::kBFloat16},
    {SafetensorsDtype::I64, torch::kInt64},   {SafetensorsDtype::I32, torch::kInt32},
    {SafetensorsDtype::I16, torch::kInt16},   {SafetensorsDtype::I8, torch::kInt8},
    {SafetensorsDtype::U8, torch::kUInt8},    {SafetensorsDtype::BOOL, torch::kBool}};

const char* dtype_name(torch::ScalarType type) {
  for (const auto& [ours, theirs] : kTorchTypes) {
    if (theirs == type) return model::dtype_name(ours);
  }
  throw std::logic_error("safetensors: unsupported dtype");
}

torch::ScalarType torch_type(SafetensorsDtype dtype) {
  for (const auto& [ours, theirs] : kTorchTypes) {
    if (ours == dtype) return theirs;
  }
  throw std::logic_error("safetensors: unsupported dtype");
}

}  // namespace

void save_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> host;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    auto cpu = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t bytes = static_cast<uint64_t>(cpu.numel()) * cpu.element_size();
    header[name] = {{"dtype", dtype_name(cpu.scalar_type())},
                    {"shape", cpu.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    host.push_back(cpu);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the reference writer aligns the data to 8 bytes
  std::string file(8, '\0');
  const uint64_t length = text.size();
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  file += text;
  file.reserve(file.size() + offset);
  for (const auto& cpu : host) {
    file.append(static_cast<const char*>(cpu.data_ptr()), cpu.numel() * cpu.element_size());
  }
  write_file_atomically(path, file);
}

TensorMap load_safetensors(const std::filesystem::path& path) {
  const std::string file = read_whole_file(path);
  const SafetensorsHeader header = parse_safetensors_header(file, path.string());
  const char* data = file.data() + header.data_start;
  TensorMap tensors;
  for (const auto& entry : header.tensors) {
    auto tensor = torch::empty(entry.shape, torch::TensorOptions().dtype(torch_type(entry.dtype)));
    if (entry.end > entry.begin) std::memcpy(tensor.data_ptr(), data + entry.begin, entry.end - entry.begin);
    tensors[entry.name] = tensor;
  }
  return tensors;
}

}  // namespace dw::model
