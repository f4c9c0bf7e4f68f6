// Decoding an image file's bytes (PNG or JPEG) into an Image, with the size checks a
// file must pass before the decoder allocates for it. load_image (image.h) reads a file and calls
// this; the fuzz target calls it directly.
#pragma once

#include <string>

#include "nav/base/image.h"

namespace dw {

// 8192 x 8192: far beyond any frame size Dreamwalk trains on; larger photos are refused, not resized.
constexpr long long kMaxImagePixels = 1LL << 26;

// `where` names the file in messages. UserError when the bytes are not a readable image, or the
// header claims more than kMaxImagePixels pixels or more than the file's size can hold.
Image decode_image(const std::string& bytes, const std::string& where);

}  // namespace dw
