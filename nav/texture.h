// Procedural texture tables (bricks, tiles, stripes, noise, planks) and the per-room "look" built
// from them: every room gets its own hue and patterns so places are recognisable as landmarks.
// Texels are packed 0x00RRGGBB so the renderer moves one integer per pixel.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace dw::nav {

constexpr int kTextureBits = 6;
constexpr int kTextureSize = 1 << kTextureBits;  // texels per cell side
constexpr int kTextureMask = kTextureSize - 1;

struct Texture {
  std::array<std::uint32_t, kTextureSize * kTextureSize> texels{};  // [v * size + u]
};

// A wall texture is stored column-major ([u * size + v]) so a screen column reads contiguous texels.
struct RoomLook {
  Texture wall;     // column-major
  Texture pillar;   // column-major
  Texture floor;    // row-major
  Texture ceiling;  // row-major
  // Floor texel in the low and ceiling texel in the high 32 bits: the renderer casts both from
  // the same world point, so one load and one 64-bit shade serve two pixels.
  std::array<std::uint64_t, kTextureSize * kTextureSize> floor_ceiling{};
  std::uint32_t map_colour = 0;  // for the top-down map
};

constexpr std::uint32_t pack_rgb(int r, int g, int b) {
  return (static_cast<std::uint32_t>(r) << 16) | (static_cast<std::uint32_t>(g) << 8) |
         static_cast<std::uint32_t>(b);
}

// `room_count` room looks, then `room_count` corridor looks (index room_count + r: the greyish
// look of corridors nearest to room r), so corridors also hint where they lead.
std::vector<RoomLook> make_room_looks(std::uint64_t seed, int room_count);

}  // namespace dw::nav
