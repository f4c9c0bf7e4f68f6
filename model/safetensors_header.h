// The torch-free half of our safetensors reader: parses and checks a file's header (8-byte
// little-endian length, then a JSON object {name: {dtype, shape, data_offsets}} and an optional
// "__metadata__" of strings) against the file's size. model/safetensors.cpp turns the checked
// entries into tensors; the checkpoint code reads the metadata alone; tests/fuzz fuzzes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dw::model {

enum class SafetensorsDtype { F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL };

// "F32" and its size in bytes; every dtype we read or write.
const char* dtype_name(SafetensorsDtype dtype);
std::size_t dtype_size(SafetensorsDtype dtype);

struct SafetensorsEntry {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  // byte range within the data section, end - begin = its bytes
  std::uint64_t end = 0;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> tensors;
  std::map<std::string, std::string> metadata;
  std::uint64_t data_start = 0;  // offset of the data section within the file
};

// Every entry's bytes lie inside the file and match its shape, so a reader may allocate and copy
// them as they stand. Throws UserError naming `where` for a truncated or malformed file.
SafetensorsHeader parse_safetensors_header(const std::string& file, const std::string& where);
// The same for a file of `file_size` bytes read only as far as `head` (its first bytes, through the
// end of the header), so a reader need not hold the whole file in memory.
SafetensorsHeader parse_safetensors_header(const std::string& head, std::uint64_t file_size, const std::string& where);
// The header's length in bytes, from the first 8 bytes of `head`, checked against `file_size`.
std::uint64_t safetensors_header_length(const std::string& head, std::uint64_t file_size, const std::string& where);

}  // namespace dw::model
