// An 8-bit RGB image (row-major H x W x 3), the I/O boundary type of every module, plus PNG
// reading and writing. nav renders into it, datasets stores it, model converts it to tensors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace dw {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // width * height * 3 bytes, row-major RGB

  Image() = default;
  Image(int width_px, int height_px)
      : width(width_px), height(height_px), pixels(static_cast<size_t>(width_px) * height_px * 3, 0) {}

  std::uint8_t* at(int x, int y) { return pixels.data() + (static_cast<size_t>(y) * width + x) * 3; }
  const std::uint8_t* at(int x, int y) const {
    return pixels.data() + (static_cast<size_t>(y) * width + x) * 3;
  }
  bool same_size(const Image& other) const { return width == other.width && height == other.height; }
};

// Throws UserError naming the file when it is missing, unreadable or not an image.
Image load_image(const std::filesystem::path& path);
// Writes atomically (temporary name, then rename). Throws UserError on failure.
void save_png(const Image& image, const std::filesystem::path& path);
// Encodes to PNG bytes in memory (for tests and for writers that batch files).
std::vector<std::uint8_t> encode_png(const Image& image);

// Area-filtered resize (box filter when shrinking, bilinear when growing).
Image resize_image(const Image& image, int width, int height);
// The sum of squared byte differences of two pixel arrays of `size` bytes, exact (summed in
// integers; a view map search runs it over every thumbnail, so it is kept vectorisable).
double squared_difference(const std::uint8_t* a, const std::uint8_t* b, std::size_t size);
// Root mean square difference of two images of one size, in [0, 1]; 1 for images of different sizes.
double rms_difference(const Image& a, const Image& b);
// The same for two pixel arrays of `size` bytes (size > 0): frames kept in one block of memory.
double rms_difference(const std::uint8_t* a, const std::uint8_t* b, std::size_t size);
// Whether two lists of images are the same, pixel for pixel (sizes included).
bool same_images(const std::vector<Image>& a, const std::vector<Image>& b);
// Lays images out in a grid with a 1-pixel dark gutter, for contact sheets and previews.
Image tile_images(const std::vector<Image>& images, int columns);

}  // namespace dw
