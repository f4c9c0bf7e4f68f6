#include "nav/base/image.h"
#include "nav/base/image_decode.h"
#include "nav/base/image_check.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw {
namespace {

bool is_png(const std::string& bytes) { return bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0; }
// As stb_image tests it: 0xFF (fill bytes may repeat it), then the start-of-image marker 0xD8.
bool is_jpeg(const std::string& bytes) {
  const std::size_t marker = bytes.find_first_not_of('\xFF');
  return marker > 0 && marker != std::string::npos && bytes[marker] == '\xD8';
}

// stb_image's failure reasons are terse internal words ("outofdata"); say what they mean. A file
// that starts like a PNG but does not decode was cut short or damaged.
std::string unreadable_image_reason(const std::string& bytes, const std::string& reason) {
  if (is_png(bytes)) return "not a readable image: truncated or corrupt PNG (" + reason + ")";
  return "not a readable image: truncated or corrupt JPEG (" + reason + ")";
}

// The most pixels a valid file of `bytes` bytes can hold: deflate (PNG) expands a byte to at most
// 1,032, and a 1-bit PNG packs 8 pixels in each of those; a JPEG needs more bytes per pixel. A header claiming more is damaged, and the decoder must not allocate for it.
long long max_pixels_for_file_size(std::size_t bytes) {
  constexpr long long kPixelsPerByte = 1032LL * 8;
  return static_cast<long long>(std::min<std::size_t>(bytes, kMaxImagePixels)) * kPixelsPerByte;
}

}  // namespace

Image decode_image(const std::string& bytes, const std::string& where) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw UserError(where + ": image file larger than 2 GB");
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const int size = static_cast<int>(bytes.size());
  // PNG and JPEG only: stb_image also decodes GIF, BMP, TGA, PSD, HDR, PIC and PNM, and each is
  // more of its code for a hostile file to reach; frames and start images are PNG or JPEG.
  if (!is_png(bytes) && !is_jpeg(bytes)) throw UserError(where + ": not a readable image: not a PNG or JPEG file");
  const std::string problem = is_png(bytes) ? png_chunk_problem(bytes) : jpeg_huffman_problem(bytes);
  if (!problem.empty()) throw UserError(where + ": " + unreadable_image_reason(bytes, problem));
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, size, &width, &height, &channels))
    throw UserError(where + ": " + unreadable_image_reason(bytes, stbi_failure_reason()));
  const long long pixels = static_cast<long long>(width) * height;
  if (pixels > kMaxImagePixels)
    throw UserError(where + ": image is " + std::to_string(width) + "x" + std::to_string(height) +
                    ", more than the " + std::to_string(kMaxImagePixels) + " pixels Dreamwalk reads");
  if (pixels > max_pixels_for_file_size(bytes.size()))
    throw UserError(where + ": header says " + std::to_string(width) + "x" + std::to_string(height) +
                    " pixels, more than a file of " + std::to_string(bytes.size()) +
                    " bytes can hold (truncated or corrupt)");
  unsigned char* decoded = stbi_load_from_memory(data, size, &width, &height, &channels, 3);
  if (!decoded) throw UserError(where + ": " + unreadable_image_reason(bytes, stbi_failure_reason()));
  Image image(width, height);
  std::copy(decoded, decoded + image.pixels.size(), image.pixels.begin());
  stbi_image_free(decoded);
  return image;
}

Image load_image(const std::filesystem::path& path) { return decode_image(read_whole_file(path), path.string()); }

namespace {
void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  auto* begin = static_cast<std::uint8_t*>(data);
  out->insert(out->end(), begin, begin + size);
}
}  // namespace

std::vector<std::uint8_t> encode_png(const Image& image) {
  std::vector<std::uint8_t> out;
  stbi_write_png_to_func(append_bytes, &out, image.width, image.height, 3, image.pixels.data(),
                         image.width * 3);
  return out;
}

void save_png(const Image& image, const std::filesystem::path& path) {
  const auto bytes = encode_png(image);
  if (bytes.empty()) throw UserError(path.string() + ": PNG encoding failed");
  write_file_atomically(path, bytes.data(), bytes.size());
}

namespace {
// Samples one output pixel by averaging the source footprint [x0,x1) x [y0,y1).
void box_sample(const Image& source, float x0, float x1, float y0, float y1, std::uint8_t* out) {
  const int ix0 = static_cast<int>(std::floor(x0));
  const int iy0 = static_cast<int>(std::floor(y0));
  const int ix1 = std::max(ix0 + 1, static_cast<int>(std::ceil(x1)));
  const int iy1 = std::max(iy0 + 1, static_cast<int>(std::ceil(y1)));
  float sum[3] = {0, 0, 0};
  float total = 0;
  for (int y = iy0; y < iy1; ++y) {
    const float wy = std::min<float>(y + 1, y1) - std::max<float>(y, y0);
    for (int x = ix0; x < ix1; ++x) {
      const float wx = std::min<float>(x + 1, x1) - std::max<float>(x, x0);
      const float w = std::max(0.0f, wx) * std::max(0.0f, wy);
      const auto* p = source.at(std::clamp(x, 0, source.width - 1), std::clamp(y, 0, source.height - 1));
      for (int c = 0; c < 3; ++c) sum[c] += w * p[c];
      total += w;
    }
  }
  for (int c = 0; c < 3; ++c) out[c] = static_cast<std::uint8_t>(std::lround(sum[c] / std::max(total, 1e-6f)));
}

void bilinear_sample(const Image& source, float x, float y, std::uint8_t* out) {
  x = std::clamp(x, 0.0f, static_cast<float>(source.width - 1));
  y = std::clamp(y, 0.0f, static_cast<float>(source.height - 1));
  const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
  const int x1 = std::min(x0 + 1, source.width - 1), y1 = std::min(y0 + 1, source.height - 1);
  const float fx = x - x0, fy = y - y0;
  for (int c = 0; c < 3; ++c) {
    const float top = source.at(x0, y0)[c] * (1 - fx) + source.at(x1, y0)[c] * fx;
    const float bottom = source.at(x0, y1)[c] * (1 - fx) + source.at(x1, y1)[c] * fx;
    out[c] = static_cast<std::uint8_t>(std::lround(top * (1 - fy) + bottom * fy));
  }
}

// resize_image where both sides shrink by one whole factor: every output pixel is the mean of a
// factor x factor block, with the same rounding as box_sample. A view map makes a thumbnail of
// each of its 100,000 views when it loads, and the general path took seconds.
Image shrink_by_whole_factor(const Image& image, int width, int height) {
  const int factor = image.width / width;
  Image out(width, height);
  const auto area = static_cast<float>(factor * factor);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      int sum[3] = {0, 0, 0};
      for (int dy = 0; dy < factor; ++dy) {
        const std::uint8_t* p = image.at(x * factor, y * factor + dy);
        for (int dx = 0; dx < factor * 3; dx += 3) {
          sum[0] += p[dx];
          sum[1] += p[dx + 1];
          sum[2] += p[dx + 2];
        }
      }
      for (int c = 0; c < 3; ++c) out.at(x, y)[c] = static_cast<std::uint8_t>(std::lround(static_cast<float>(sum[c]) / area));
    }
  }
  return out;
}
}  // namespace

Image resize_image(const Image& image, int width, int height) {
  if (image.width == width && image.height == height) return image;
  if (width > 0 && height > 0 && image.width % width == 0 && image.height % height == 0 &&
      image.width / width == image.height / height) {
    return shrink_by_whole_factor(image, width, height);
  }
  Image out(width, height);
  const float sx = static_cast<float>(image.width) / width;
  const float sy = static_cast<float>(image.height) / height;
  const bool shrinking = sx > 1.0f || sy > 1.0f;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (shrinking) {
        box_sample(image, x * sx, (x + 1) * sx, y * sy, (y + 1) * sy, out.at(x, y));
      } else {
        bilinear_sample(image, (x + 0.5f) * sx - 0.5f, (y + 0.5f) * sy - 0.5f, out.at(x, y));
      }
    }
  }
  return out;
}

bool same_images(const std::vector<Image>& a, const std::vector<Image>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const Image& x, const Image& y) {
           return x.width == y.width && x.height == y.height && x.pixels == y.pixels;
         });
}

Image tile_images(const std::vector<Image>& images, int columns) {
  if (images.empty() || columns <= 0) return Image();
  const int cell_w = images.front().width, cell_h = images.front().height;
  const int rows = static_cast<int>((images.size() + columns - 1) / columns);
  const int gutter = 1;
  Image sheet(columns * (cell_w + gutter) + gutter, rows * (cell_h + gutter) + gutter);
  std::fill(sheet.pixels.begin(), sheet.pixels.end(), std::uint8_t{24});
  for (size_t i = 0; i < images.size(); ++i) {
    const Image tile = resize_image(images[i], cell_w, cell_h);
    const int ox = gutter + static_cast<int>(i % columns) * (cell_w + gutter);
    const int oy = gutter + static_cast<int>(i / columns) * (cell_h + gutter);
    for (int y = 0; y < cell_h; ++y) {
      std::copy(tile.at(0, y), tile.at(0, y) + cell_w * 3, sheet.at(ox, oy + y));
    }
  }
  return sheet;
}

// 32-bit sums over chunks of 32,768 bytes (at most 32,768 * 255^2 < 2^31) vectorise twice as wide
// as 64-bit ones.
double squared_difference(const std::uint8_t* a, const std::uint8_t* b, std::size_t size) {
  constexpr std::size_t kChunk = 32768;
  std::int64_t sum = 0;
  for (std::size_t begin = 0; begin < size; begin += kChunk) {
    const std::size_t end = std::min(size, begin + kChunk);
    std::int32_t chunk = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const std::int32_t d = static_cast<std::int32_t>(a[i]) - static_cast<std::int32_t>(b[i]);
      chunk += d * d;
    }
    sum += chunk;
  }
  return static_cast<double>(sum);
}

double rms_difference(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.pixels.empty()) return 1.0;
  return rms_difference(a.pixels.data(), b.pixels.data(), a.pixels.size());
}

double rms_difference(const std::uint8_t* a, const std::uint8_t* b, std::size_t size) {
  return std::sqrt(squared_difference(a, b, size) / static_cast<double>(size)) / 255.0;
}

}  // namespace dw
