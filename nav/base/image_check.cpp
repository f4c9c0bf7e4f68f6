#include "nav/base/image_check.h"

#include <cstddef>
#include <cstdint>

namespace dw {
namespace {

constexpr int kDefineHuffmanTables = 0xC4;
constexpr int kStartOfScan = 0xDA;
constexpr int kEndOfImage = 0xD9;

bool is_restart(int marker) { return marker >= 0xD0 && marker <= 0xD7; }

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  bool at_end() const { return pos_ >= bytes_.size(); }
  // Past the end reads 0, as stb_image's reader does.
  int byte_at(std::size_t pos) const { return pos < bytes_.size() ? static_cast<unsigned char>(bytes_[pos]) : 0; }
  int next() { return byte_at(pos_++); }
  int length() {  // a segment's big-endian length, which counts its own two bytes
    const int high = next();
    return high * 256 + next();
  }
  std::size_t pos_ = 0;

 private:
  const std::string& bytes_;
};

// Leaves the reader on the 0xFF of the first marker after a scan's entropy-coded data: a 0xFF there
// is followed by 0 (a stuffed data byte) or a restart marker, which stay in the data.
void skip_entropy_coded_data(Reader& in) {
  while (!in.at_end()) {
    if (in.byte_at(in.pos_) != 0xFF) {
      ++in.pos_;
      continue;
    }
    std::size_t after = in.pos_ + 1;
    while (in.byte_at(after) == 0xFF) ++after;  // fill bytes
    const int marker = in.byte_at(after);
    if (marker != 0 && !is_restart(marker)) return;
    in.pos_ = after + 1;
  }
}

}  // namespace

// What a scan needs of the Huffman tables defined so far (bit c*4+id: class c 0 = DC, 1 = AC):
// stb_image allocates its decoder state uninitialised, so a scan using a table no DHT defined
// decodes with whatever the memory held (in a long import, an earlier image's tables) and trips
// the decoder's assertion.
std::string scan_table_problem(const Reader& in, std::size_t payload, unsigned defined) {
  const int components = in.byte_at(payload);
  const std::size_t spectral = payload + 1 + 2 * static_cast<std::size_t>(components);
  const int first = in.byte_at(spectral), last = in.byte_at(spectral + 1);
  for (int k = 0; k < components; ++k) {
    const int tables = in.byte_at(payload + 2 + 2 * static_cast<std::size_t>(k));
    const bool needs_dc = first == 0, needs_ac = last > 0;
    if (needs_dc && !(defined & (1u << (tables >> 4 & 3)))) return "a scan uses a DC Huffman table no DHT defined";
    if (needs_ac && !(defined & (1u << (4 + (tables & 3))))) return "a scan uses an AC Huffman table no DHT defined";
  }
  return "";
}

std::string jpeg_huffman_problem(const std::string& bytes) {
  Reader in(bytes);
  unsigned defined = 0;  // Huffman tables defined so far, as in scan_table_problem
  while (!in.at_end()) {
    if (in.next() != 0xFF) continue;  // padding between segments: stb_image resyncs on the next 0xFF
    int marker = in.next();
    while (marker == 0xFF && !in.at_end()) marker = in.next();
    if (marker == kEndOfImage) break;
    if (marker == 0 || marker == 0xD8 || marker == 0x01 || is_restart(marker)) continue;  // no payload
    const std::size_t start = in.pos_;
    const int length = in.length();
    if (marker == kDefineHuffmanTables) {
      // As stb_image reads it: tables one after another while the segment has bytes left.
      for (int left = length - 2; left > 0;) {
        const int class_and_id = in.next();
        defined |= 1u << ((class_and_id >> 4 & 1) * 4 + (class_and_id & 3));
        int codes = 0;
        long long room = 1;  // unused codes of the current length (Kraft's inequality)
        int overfull_length = 0;
        for (int i = 0; i < 16; ++i) {
          const int count = in.next();
          codes += count;
          room = room * 2 - count;
          if (room < 0 && overfull_length == 0) overfull_length = i + 1;
        }
        if (codes > 256) return "a Huffman table declares " + std::to_string(codes) + " codes (at most 256)";
        if (overfull_length > 0) {
          return "a Huffman table has more codes of length " + std::to_string(overfull_length) + " than fit";
        }
        in.pos_ += static_cast<std::size_t>(codes);
        left -= 17 + codes;
      }
      continue;
    }
    in.pos_ = start + static_cast<std::size_t>(length);
    if (marker == kStartOfScan) {
      const std::string problem = scan_table_problem(in, start + 2, defined);
      if (!problem.empty()) return problem;
      skip_entropy_coded_data(in);
    }
  }
  return "";
}

std::string png_chunk_problem(const std::string& bytes) {
  const Reader in(bytes);
  const auto be32 = [&](std::size_t pos) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<std::uint32_t>(in.byte_at(pos + i));
    return value;
  };
  // After the 8-byte signature: length, type, data, CRC; the image ends at IEND.
  for (std::size_t pos = 8; pos < bytes.size();) {
    const std::uint64_t length = be32(pos);
    if (pos + 12 + length > bytes.size()) return "a chunk runs past the end of the file";
    if (be32(pos + 4) == 0x49454E44) break;  // "IEND"
    pos += 12 + length;
  }
  return "";
}

}  // namespace dw
