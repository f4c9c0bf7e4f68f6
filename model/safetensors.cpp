#include "model/safetensors.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <nlohmann/json.hpp>

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

SafetensorsDtype safetensors_dtype(torch::ScalarType type) {
  for (const auto& [ours, theirs] : kTorchTypes) {
    if (theirs == type) return ours;
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
  std::map<std::string, TensorPieces> pieces;
  std::vector<torch::Tensor> host;  // keeps the CPU copies alive until written
  for (const auto& [name, tensor] : tensors) {
    host.push_back(tensor.detach().to(torch::kCPU).contiguous());
    const torch::Tensor& cpu = host.back();
    pieces[name] = {safetensors_dtype(cpu.scalar_type()), cpu.sizes().vec(),
                    {{cpu.data_ptr(), static_cast<std::size_t>(cpu.numel()) * cpu.element_size()}}};
  }
  save_safetensors(path, pieces, metadata);
}

void save_safetensors(const std::filesystem::path& path, const std::map<std::string, TensorPieces>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  FilePieces body;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    uint64_t elements = 1;
    for (std::int64_t size : tensor.shape) elements *= static_cast<uint64_t>(size);
    uint64_t bytes = 0;
    for (const auto& piece : tensor.pieces) bytes += piece.second;
    if (bytes != elements * dtype_size(tensor.dtype)) {
      throw std::logic_error("safetensors: the pieces of '" + name + "' do not fill its shape");
    }
    header[name] = {{"dtype", model::dtype_name(tensor.dtype)},
                    {"shape", tensor.shape},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    body.insert(body.end(), tensor.pieces.begin(), tensor.pieces.end());
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the reference writer aligns the data to 8 bytes
  std::string head(8, '\0');
  const uint64_t length = text.size();
  for (int i = 0; i < 8; ++i) head[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  head += text;
  body.insert(body.begin(), {head.data(), head.size()});
  write_file_atomically(path, body);
}

TensorMap load_safetensors(const std::filesystem::path& path) {
  SafetensorsReader reader(path);
  TensorMap tensors;
  for (const auto& entry : reader.header().tensors) tensors[entry.name] = reader.read(entry);
  return tensors;
}

SafetensorsReader::SafetensorsReader(const std::filesystem::path& path) : path_(path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw UserError(path.string() + ": is a folder, not a file");
  in_.open(path, std::ios::binary);
  if (!in_) throw UserError(path.string() + ": cannot open for reading (missing or unreadable)");
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw UserError(path.string() + ": not a regular file (" + error.message() + ")");
  std::string head(static_cast<std::size_t>(std::min<std::uintmax_t>(size, 8)), '\0');
  in_.read(head.data(), static_cast<std::streamsize>(head.size()));
  const std::uint64_t length = safetensors_header_length(head, size, path.string());
  head.resize(static_cast<std::size_t>(8 + length));
  if (!in_.read(head.data() + 8, static_cast<std::streamsize>(length))) throw UserError(path.string() + ": read failed");
  header_ = parse_safetensors_header(head, size, path.string());
}

const SafetensorsEntry* SafetensorsReader::find(const std::string& name) const {
  for (const auto& entry : header_.tensors) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

void SafetensorsReader::read(const SafetensorsEntry& entry, void* destination) {
  read(entry, 0, entry.end - entry.begin, destination);
}

void SafetensorsReader::read(const SafetensorsEntry& entry, std::uint64_t offset, std::uint64_t bytes,
                             void* destination) {
  if (offset > entry.end - entry.begin || bytes > entry.end - entry.begin - offset) {
    throw std::out_of_range("safetensors: a read past the end of tensor '" + entry.name + "'");
  }
  if (bytes == 0) return;
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(header_.data_start + entry.begin + offset));
  if (!in_.read(static_cast<char*>(destination), static_cast<std::streamsize>(bytes))) {
    throw UserError(path_.string() + ": read failed (tensor '" + entry.name + "'; truncated?)");
  }
}

torch::Tensor SafetensorsReader::read(const SafetensorsEntry& entry) {
  auto tensor = torch::empty(entry.shape, torch::TensorOptions().dtype(torch_type(entry.dtype)));
  read(entry, tensor.data_ptr());
  return tensor;
}

}  // namespace dw::model
