#include "model/safetensors_header.h"

#include <nlohmann/json.hpp>

#include "nav/base/user_error.h"

namespace dw::model {
namespace {

using nlohmann::json;

struct DtypeInfo {
  SafetensorsDtype dtype;
  const char* name;
  std::size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {SafetensorsDtype::F32, "F32", 4}, {SafetensorsDtype::F64, "F64", 8},  {SafetensorsDtype::F16, "F16", 2},
    {SafetensorsDtype::BF16, "BF16", 2}, {SafetensorsDtype::I64, "I64", 8}, {SafetensorsDtype::I32, "I32", 4},
    {SafetensorsDtype::I16, "I16", 2}, {SafetensorsDtype::I8, "I8", 1},    {SafetensorsDtype::U8, "U8", 1},
    {SafetensorsDtype::BOOL, "BOOL", 1}};

const DtypeInfo& info(SafetensorsDtype dtype) {
  for (const auto& entry : kDtypes) {
    if (entry.dtype == dtype) return entry;
  }
  return kDtypes[0];  // unreachable: the table lists every enumerator
}

// Ranks above this are refused: our tensors have at most 5 dimensions, and a header listing
// thousands would only cost time.
constexpr std::size_t kMaxRank = 16;

// The element count of `dims`, or UserError when it exceeds `limit` (checked per dimension, so the
// product never overflows). `limit` is what the data section can hold; a zero anywhere is empty.
std::vector<std::int64_t> read_shape(const json& dims, std::uint64_t limit, const std::string& bad,
                                     std::uint64_t& count) {
  if (!dims.is_array() || dims.size() > kMaxRank) throw UserError(bad + "has a bad shape");
  std::vector<std::int64_t> shape;
  bool is_empty = false;
  for (const auto& dim : dims) {
    if (!dim.is_number_unsigned() || dim.get<std::uint64_t>() > (std::uint64_t{1} << 40))
      throw UserError(bad + "has a bad shape");
    shape.push_back(dim.get<std::int64_t>());
    is_empty = is_empty || shape.back() == 0;
  }
  count = 1;
  if (is_empty) {
    count = 0;
    return shape;
  }
  for (const std::int64_t dim : shape) {
    if (count > limit / static_cast<std::uint64_t>(dim)) throw UserError(bad + "is larger than the file");
    count *= static_cast<std::uint64_t>(dim);
  }
  return shape;
}

SafetensorsEntry read_entry(const std::string& name, const json& entry, std::uint64_t data_size,
                            const std::string& where) {
  const std::string bad = where + ": tensor '" + name + "' ";
  if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
      !entry.contains("data_offsets")) {
    throw UserError(bad + "lacks dtype, shape or data_offsets");
  }
  SafetensorsEntry out;
  out.name = name;
  const json& dtype = entry["dtype"];
  const DtypeInfo* found = nullptr;
  for (const auto& candidate : kDtypes) {
    if (dtype.is_string() && dtype.get<std::string>() == candidate.name) found = &candidate;
  }
  if (!found) throw UserError(bad + "has an unsupported dtype");
  out.dtype = found->dtype;
  std::uint64_t count = 0;
  out.shape = read_shape(entry["shape"], data_size / found->size, bad, count);
  const json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    throw UserError(bad + "has bad data_offsets");
  }
  out.begin = offsets[0].get<std::uint64_t>();
  out.end = offsets[1].get<std::uint64_t>();
  if (out.begin > out.end || out.end > data_size) throw UserError(bad + "lies past the end of the file (truncated?)");
  if (out.end - out.begin != count * found->size) throw UserError(bad + "has data_offsets that do not match its shape");
  return out;
}

}  // namespace

const char* dtype_name(SafetensorsDtype dtype) { return info(dtype).name; }
std::size_t dtype_size(SafetensorsDtype dtype) { return info(dtype).size; }

SafetensorsHeader parse_safetensors_header(const std::string& file, const std::string& where) {
  return parse_safetensors_header(file, file.size(), where);
}

std::uint64_t safetensors_header_length(const std::string& head, std::uint64_t file_size, const std::string& where) {
  if (head.size() < 8 || file_size < 8) throw UserError(where + ": too short to be a safetensors file (truncated?)");
  std::uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= std::uint64_t{static_cast<unsigned char>(head[i])} << (8 * i);
  if (length > file_size - 8) throw UserError(where + ": header runs past the end of the file (truncated?)");
  return length;
}

SafetensorsHeader parse_safetensors_header(const std::string& head, std::uint64_t file_size, const std::string& where) {
  const std::uint64_t length = safetensors_header_length(head, file_size, where);
  if (length > head.size() - 8) throw UserError(where + ": header runs past the end of the file (truncated?)");
  json header;
  try {
    header = json::parse(head.begin() + 8, head.begin() + 8 + static_cast<std::ptrdiff_t>(length));
  } catch (const json::exception&) {
    throw UserError(where + ": the safetensors header is not valid JSON");
  }
  if (!header.is_object()) throw UserError(where + ": the safetensors header is not a JSON object");
  SafetensorsHeader out;
  out.data_start = 8 + length;
  const std::uint64_t data_size = file_size - out.data_start;
  for (const auto& item : header.items()) {
    if (item.key() != "__metadata__") {
      out.tensors.push_back(read_entry(item.key(), item.value(), data_size, where));
      continue;
    }
    if (!item.value().is_object()) throw UserError(where + ": \"__metadata__\" is not a JSON object");
    for (const auto& field : item.value().items()) {
      if (!field.value().is_string())
        throw UserError(where + ": \"__metadata__\" value '" + field.key() + "' is not a string");
      out.metadata[field.key()] = field.value().get<std::string>();
    }
  }
  return out;
}

}  // namespace dw::model
