#include "datasets/gif_writer.h"

#include <fcntl.h>
#include <gif_lib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::data {

namespace {

constexpr int kRedLevels = 6, kGreenLevels = 7, kBlueLevels = 6;  // 252 colours

// 4x4 Bayer thresholds in [-0.5, 0.5) of one quantisation step: breaks up banding on gradients.
constexpr float kBayer[4][4] = {{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}};

int quantise(int value, int levels, float dither) {
  const float step = 255.0f / (levels - 1);
  const int level = static_cast<int>(value / step + 0.5f + dither);
  return std::clamp(level, 0, levels - 1);
}

ColorMapObject* make_colour_cube() {
  ColorMapObject* map = GifMakeMapObject(256, nullptr);
  int index = 0;
  for (int r = 0; r < kRedLevels; ++r)
    for (int g = 0; g < kGreenLevels; ++g)
      for (int b = 0; b < kBlueLevels; ++b, ++index) {
        map->Colors[index].Red = static_cast<GifByteType>(r * 255 / (kRedLevels - 1));
        map->Colors[index].Green = static_cast<GifByteType>(g * 255 / (kGreenLevels - 1));
        map->Colors[index].Blue = static_cast<GifByteType>(b * 255 / (kBlueLevels - 1));
      }
  for (; index < 256; ++index) map->Colors[index] = GifColorType{0, 0, 0};
  return map;
}

std::vector<GifByteType> to_palette_indices(const Image& image) {
  std::vector<GifByteType> indices(static_cast<size_t>(image.width) * image.height);
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      const float dither = kBayer[y % 4][x % 4] / 16.0f - 0.5f;
      const std::uint8_t* p = image.at(x, y);
      const int r = quantise(p[0], kRedLevels, dither);
      const int g = quantise(p[1], kGreenLevels, dither);
      const int b = quantise(p[2], kBlueLevels, dither);
      indices[static_cast<size_t>(y) * image.width + x] =
          static_cast<GifByteType>((r * kGreenLevels + g) * kBlueLevels + b);
    }
  return indices;
}

void put_loop_extension(GifFileType* gif) {
  const char application[] = "NETSCAPE2.0";
  const unsigned char loop_forever[] = {1, 0, 0};
  EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE);
  EGifPutExtensionBlock(gif, 11, application);
  EGifPutExtensionBlock(gif, 3, loop_forever);
  EGifPutExtensionTrailer(gif);
}

bool put_frame(GifFileType* gif, const Image& frame, int delay_centiseconds) {
  GraphicsControlBlock control{};
  control.DisposalMode = DISPOSE_DO_NOT;
  control.DelayTime = delay_centiseconds;
  control.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType extension[4];
  const size_t length = EGifGCBToExtension(&control, extension);
  if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(length), extension) != GIF_OK)
    return false;
  if (EGifPutImageDesc(gif, 0, 0, frame.width, frame.height, false, nullptr) != GIF_OK) return false;
  std::vector<GifByteType> indices = to_palette_indices(frame);
  for (int y = 0; y < frame.height; ++y) {
    if (EGifPutLine(gif, indices.data() + static_cast<size_t>(y) * frame.width, frame.width) != GIF_OK)
      return false;
  }
  return true;
}

}  // namespace

Image upscale_nearest(const Image& image, int factor) {
  if (factor <= 1) return image;
  Image out(image.width * factor, image.height * factor);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      std::memcpy(out.at(x, y), image.at(x / factor, y / factor), 3);
  return out;
}

void write_gif(const std::vector<Image>& frames, const std::filesystem::path& path,
               int delay_centiseconds, int scale) {
  if (frames.empty()) throw UserError(path.string() + ": no frames to write");
  for (const Image& frame : frames) {
    if (!frame.same_size(frames.front()))
      throw UserError(path.string() + ": frames of different sizes cannot share one GIF");
  }
  const auto temporary = temporary_path_for(path);
  // Opened here, not by EGifOpenFileName, which creates files readable by their owner only.
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) throw UserError(path.string() + ": cannot open for writing");
  int error = 0;
  GifFileType* gif = EGifOpenFileHandle(fd, &error);  // owns fd from here on
  if (!gif) {
    close(fd);
    throw UserError(path.string() + ": cannot open for writing (" + GifErrorString(error) + ")");
  }
  EGifSetGifVersion(gif, true);
  const int width = frames.front().width * std::max(scale, 1);
  const int height = frames.front().height * std::max(scale, 1);
  ColorMapObject* palette = make_colour_cube();
  bool ok = EGifPutScreenDesc(gif, width, height, 8, 0, palette) == GIF_OK;
  GifFreeMapObject(palette);
  if (ok) put_loop_extension(gif);
  for (size_t i = 0; ok && i < frames.size(); ++i) {
    ok = put_frame(gif, upscale_nearest(frames[i], scale), delay_centiseconds);
  }
  const bool closed = EGifCloseFile(gif, &error) == GIF_OK;
  if (!ok || !closed) {
    std::filesystem::remove(temporary);
    throw UserError(path.string() + ": GIF write failed");
  }
  rename_into_place(temporary, path);
}

std::vector<Image> read_gif(const std::filesystem::path& path) {
  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  if (!gif) throw UserError(path.string() + ": not a readable GIF (" + GifErrorString(error) + ")");
  if (DGifSlurp(gif) != GIF_OK) {
    DGifCloseFile(gif, &error);
    throw UserError(path.string() + ": corrupt GIF");
  }
  std::vector<Image> frames;
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& saved = gif->SavedImages[i];
    const ColorMapObject* map = saved.ImageDesc.ColorMap ? saved.ImageDesc.ColorMap : gif->SColorMap;
    Image frame(saved.ImageDesc.Width, saved.ImageDesc.Height);
    for (size_t p = 0; map && p < static_cast<size_t>(frame.width) * frame.height; ++p) {
      const GifColorType colour = map->Colors[saved.RasterBits[p] % map->ColorCount];
      frame.pixels[p * 3 + 0] = colour.Red;
      frame.pixels[p * 3 + 1] = colour.Green;
      frame.pixels[p * 3 + 2] = colour.Blue;
    }
    frames.push_back(std::move(frame));
  }
  DGifCloseFile(gif, &error);
  return frames;
}

}  // namespace dw::data
