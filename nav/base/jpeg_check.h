// A check of a JPEG's Huffman tables before stb_image sees them. stb_image 2.27 (Debian 12's
// libstb) writes past its table arrays when a DHT segment declares more than 256 codes (fixed
// upstream in 2.28); fuzzing found it. Internal to nav/base (image.cpp).
#pragma once

#include <string>

namespace dw {

// Walks the file's markers the way stb_image does (segments by their length, entropy-coded data
// up to the next marker, fill bytes and padding skipped) and returns "" when every DHT segment
// declares at most 256 codes per table, else the problem in a few words.
std::string jpeg_huffman_problem(const std::string& bytes);

}  // namespace dw
