// Checks of a file's structure before stb_image 2.27 (Debian 12's libstb) decodes it, for what that
// version trusts and fuzzing found: a JPEG Huffman table of more than 256 codes makes it write past
// its arrays (fixed upstream in 2.28), and a PNG chunk's length makes it allocate that much before
// reading the chunk (a 94-byte file asked for 256 MB). Internal to nav/base (image.cpp).
#pragma once

#include <string>

namespace dw {

// Walks the file's markers the way stb_image does (segments by their length, entropy-coded data
// up to the next marker, fill bytes and padding skipped) and returns "" when every DHT segment
// declares at most 256 codes per table, else the problem in a few words.
std::string jpeg_huffman_problem(const std::string& bytes);

// Walks a PNG's chunks and returns "" when each one's length fits in the rest of the file, else
// the problem in a few words.
std::string png_chunk_problem(const std::string& bytes);

}  // namespace dw
