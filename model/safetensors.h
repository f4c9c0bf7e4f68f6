// Our reader and writer of the safetensors format (so Python's safetensors/PyTorch can read our
// weights): 8-byte little-endian header length, a JSON header {name: {dtype, shape,
// data_offsets}} (+ optional "__metadata__"), then the raw little-endian tensor bytes.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "model/safetensors_header.h"
#include "nav/base/atomic_file.h"

namespace dw::model {

using TensorMap = std::map<std::string, torch::Tensor>;

// Writes atomically (temporary name, then rename). Tensors may live on any device.
void save_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// A tensor given as pieces of host memory that lie end to end in it (row-major), so a tensor kept
// in blocks (a view map's frames) is written without being gathered into one buffer first.
struct TensorPieces {
  SafetensorsDtype dtype = SafetensorsDtype::U8;
  std::vector<std::int64_t> shape;
  FilePieces pieces;  // their sizes add up to the shape's elements x the dtype's size
};
void save_safetensors(const std::filesystem::path& path, const std::map<std::string, TensorPieces>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// Reads every tensor onto the CPU. A truncated or malformed file throws UserError naming it.
TensorMap load_safetensors(const std::filesystem::path& path);

// A safetensors file opened for reading one tensor at a time, straight into its destination: a
// view map is over a gigabyte, and read whole first it would be in memory twice. The constructor
// reads and checks the header only (UserError naming the file when it is missing, not a regular
// file, truncated or malformed).
class SafetensorsReader {
 public:
  explicit SafetensorsReader(const std::filesystem::path& path);
  const SafetensorsHeader& header() const { return header_; }
  // The entry called `name`, or nullptr.
  const SafetensorsEntry* find(const std::string& name) const;
  // Its end - begin bytes into `destination`.
  void read(const SafetensorsEntry& entry, void* destination);
  // `bytes` of them from `offset` on (within the entry's bytes; std::out_of_range otherwise).
  void read(const SafetensorsEntry& entry, std::uint64_t offset, std::uint64_t bytes, void* destination);
  // As a CPU tensor of its dtype and shape.
  torch::Tensor read(const SafetensorsEntry& entry);

 private:
  std::filesystem::path path_;
  std::ifstream in_;
  SafetensorsHeader header_;
};

}  // namespace dw::model
