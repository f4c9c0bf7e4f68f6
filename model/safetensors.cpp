#include "model/safetensors.h"

#include <cstring>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::model {
namespace {

using nlohmann::json;

struct DtypeName {
  torch::ScalarType type;
  const char* name;
};

constexpr DtypeName kDtypes[] = {
    {torch::kFloat32, "F32"}, {torch::kFloat64, "F64"}, {torch::kFloat16, "F16"},
    {torch::kBFloat16, "BF16"}, {torch::kInt64, "I64"}, {torch::kInt32, "I32"},
    {torch::kInt16, "I16"},   {torch::kInt8, "I8"},     {torch::kUInt8, "U8"},
    {torch::kBool, "BOOL"}};

const char* dtype_name(torch::ScalarType type) {
  for (const auto& entry : kDtypes) {
    if (entry.type == type) return entry.name;
  }
  throw std::logic_error("safetensors: unsupported dtype");
}

bool dtype_from_name(const std::string& name, torch::ScalarType& type) {
  for (const auto& entry : kDtypes) {
    if (name == entry.name) {
      type = entry.type;
      return true;
    }
  }
  return false;
}

// Parses one header entry and checks it against the data size; throws UserError.
torch::Tensor read_entry(const std::string& name, const json& entry, const char* data,
                         uint64_t data_size, const std::string& where) {
  const std::string bad = where + ": tensor '" + name + "' ";
  if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
      !entry.contains("data_offsets")) {
    throw UserError(bad + "lacks dtype, shape or data_offsets");
  }
  torch::ScalarType type;
  if (!entry["dtype"].is_string() || !dtype_from_name(entry["dtype"].get<std::string>(), type)) {
    throw UserError(bad + "has an unsupported dtype");
  }
  std::vector<int64_t> shape;
  uint64_t count = 1;
  for (const auto& dim : entry["shape"]) {
    if (!dim.is_number_unsigned() || dim.get<uint64_t>() > (uint64_t{1} << 40)) {
      throw UserError(bad + "has a bad shape");
    }
    shape.push_back(dim.get<int64_t>());
    count *= dim.get<uint64_t>();
    if (count > (uint64_t{1} << 40)) throw UserError(bad + "is too large");
  }
  const json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    throw UserError(bad + "has bad data_offsets");
  }
  const uint64_t begin = offsets[0].get<uint64_t>();
  const uint64_t end = offsets[1].get<uint64_t>();
  const uint64_t bytes = count * c10::elementSize(type);
  if (begin > end || end > data_size) throw UserError(bad + "lies past the end of the file (truncated?)");
  if (end - begin != bytes) throw UserError(bad + "has data_offsets that do not match its shape");
  auto tensor = torch::empty(shape, torch::TensorOptions().dtype(type));
  if (bytes > 0) std::memcpy(tensor.data_ptr(), data + begin, bytes);
  return tensor;
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
  const std::string where = path.string();
  const std::string file = read_whole_file(path);
  if (file.size() < 8) throw UserError(where + ": too short to be a safetensors file (truncated?)");
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t{static_cast<unsigned char>(file[i])} << (8 * i);
  if (length > file.size() - 8) throw UserError(where + ": header runs past the end of the file (truncated?)");
  json header;
  try {
    header = json::parse(file.begin() + 8, file.begin() + 8 + static_cast<std::ptrdiff_t>(length));
  } catch (const json::exception&) {
    throw UserError(where + ": the safetensors header is not valid JSON");
  }
  if (!header.is_object()) throw UserError(where + ": the safetensors header is not a JSON object");
  const char* data = file.data() + 8 + length;
  const uint64_t data_size = file.size() - 8 - length;
  TensorMap tensors;
  for (const auto& item : header.items()) {
    if (item.key() == "__metadata__") continue;
    tensors[item.key()] = read_entry(item.key(), item.value(), data, data_size, where);
  }
  return tensors;
}

}  // namespace dw::model
