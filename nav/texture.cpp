#include "nav/texture.h"

#include <algorithm>
#include <cmath>

#include "nav/random.h"

namespace dw::nav {

namespace {

struct Rgb {
  float r = 0, g = 0, b = 0;
};

Rgb hsv(float hue, float saturation, float value) {
  hue = hue - std::floor(hue);
  const float h6 = hue * 6.0f;
  const int sector = static_cast<int>(h6) % 6;
  const float f = h6 - std::floor(h6);
  const float p = value * (1 - saturation), q = value * (1 - saturation * f),
              t = value * (1 - saturation * (1 - f));
  switch (sector) {
    case 0: return {value, t, p};
    case 1: return {q, value, p};
    case 2: return {p, value, t};
    case 3: return {p, q, value};
    case 4: return {t, p, value};
    default: return {value, p, q};
  }
}

Rgb scale(Rgb c, float k) { return {c.r * k, c.g * k, c.b * k}; }
Rgb mix(Rgb a, Rgb b, float t) {
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

std::uint32_t to_packed(Rgb c) {
  auto channel = [](float v) { return static_cast<int>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f); };
  return pack_rgb(channel(c.r), channel(c.g), channel(c.b));
}

// Tileable value noise in [0,1] on a lattice of `period` points across the texture.
class Noise {
 public:
  Noise(Rng& rng, int period) : period_(period), values_(static_cast<size_t>(period) * period) {
    for (auto& v : values_) v = rng.uniform01();
  }
  float at(int u, int v) const {
    const float cell = static_cast<float>(kTextureSize) / period_;
    const float fu = u / cell, fv = v / cell;
    const int u0 = static_cast<int>(fu), v0 = static_cast<int>(fv);
    const float su = smooth(fu - u0), sv = smooth(fv - v0);
    const float top = lerp(get(u0, v0), get(u0 + 1, v0), su);
    const float bottom = lerp(get(u0, v0 + 1), get(u0 + 1, v0 + 1), su);
    return lerp(top, bottom, sv);
  }

 private:
  static float smooth(float t) { return t * t * (3 - 2 * t); }
  static float lerp(float a, float b, float t) { return a + (b - a) * t; }
  float get(int u, int v) const { return values_[(v % period_) * period_ + (u % period_)]; }
  int period_;
  std::vector<float> values_;
};

// Two octaves of noise and a per-texel grain, the common "dirt" layer of every pattern.
struct Grain {
  explicit Grain(Rng& rng) : coarse(rng, 8), fine(rng, 32) {}
  float at(int u, int v) const { return 0.75f + 0.3f * coarse.at(u, v) + 0.15f * fine.at(u, v) - 0.2f; }
  Noise coarse, fine;
};

void fill_bricks(Texture& t, Rgb brick, Rgb mortar, Rng& rng) {
  const Grain grain(rng);
  float tint[8][4];
  for (auto& row : tint)
    for (auto& value : row) value = rng.uniform(0.8f, 1.1f);
  for (int v = 0; v < kTextureSize; ++v) {
    const int row = v / 16;
    for (int u = 0; u < kTextureSize; ++u) {
      const int shifted = (u + (row % 2) * 16) % kTextureSize;
      const bool is_mortar = (v % 16) < 2 || (shifted % 32) < 2;
      const Rgb base = is_mortar ? mortar : scale(brick, tint[row][shifted / 32]);
      t.texels[v * kTextureSize + u] = to_packed(scale(base, grain.at(u, v)));
    }
  }
}

void fill_tiles(Texture& t, Rgb a, Rgb b, int tile, Rng& rng) {
  const Grain grain(rng);
  for (int v = 0; v < kTextureSize; ++v)
    for (int u = 0; u < kTextureSize; ++u) {
      const bool is_grout = (u % tile) == 0 || (v % tile) == 0;
      const bool odd = ((u / tile) + (v / tile)) % 2 != 0;
      const Rgb base = is_grout ? scale(a, 0.45f) : (odd ? b : a);
      t.texels[v * kTextureSize + u] = to_packed(scale(base, grain.at(u, v)));
    }
}

void fill_stripes(Texture& t, Rgb a, Rgb b, Rng& rng) {
  const Grain grain(rng);
  for (int v = 0; v < kTextureSize; ++v)
    for (int u = 0; u < kTextureSize; ++u) {
      const int band = v % 16;
      const Rgb base = band < 2 ? scale(a, 0.35f) : (band < 9 ? a : b);
      t.texels[v * kTextureSize + u] = to_packed(scale(base, grain.at(u, v)));
    }
}

void fill_marble(Texture& t, Rgb a, Rgb b, Rng& rng) {
  const Noise coarse(rng, 4), fine(rng, 16);
  for (int v = 0; v < kTextureSize; ++v)
    for (int u = 0; u < kTextureSize; ++u) {
      const float n = 0.65f * coarse.at(u, v) + 0.35f * fine.at(u, v);
      // A triangle wave instead of sin: plain arithmetic is identical on every libm.
      const float phase = n * 3.0f - std::floor(n * 3.0f);
      const float veins = std::fabs(2.0f * phase - 1.0f);
      t.texels[v * kTextureSize + u] = to_packed(mix(a, b, veins));
    }
}

void fill_planks(Texture& t, Rgb a, Rgb b, Rng& rng) {
  const Grain grain(rng);
  int offset[8];
  for (auto& o : offset) o = rng.uniform_int(0, kTextureSize - 1);
  for (int v = 0; v < kTextureSize; ++v)
    for (int u = 0; u < kTextureSize; ++u) {
      const int plank = u / 8;
      const bool is_gap = (u % 8) == 0 || ((v + offset[plank]) % kTextureSize) == 0;
      const Rgb base = is_gap ? scale(a, 0.4f) : (plank % 2 ? a : b);
      t.texels[v * kTextureSize + u] = to_packed(scale(base, grain.at(u, v)));
    }
}

void transpose(Texture& t) {
  for (int v = 0; v < kTextureSize; ++v)
    for (int u = v + 1; u < kTextureSize; ++u)
      std::swap(t.texels[v * kTextureSize + u], t.texels[u * kTextureSize + v]);
}

void fill_pattern(Texture& t, int kind, Rgb a, Rgb b, Rng& rng) {
  switch (kind % 5) {
    case 0: fill_bricks(t, a, scale(b, 0.6f), rng); break;
    case 1: fill_tiles(t, a, b, 16, rng); break;
    case 2: fill_stripes(t, a, b, rng); break;
    case 3: fill_marble(t, a, b, rng); break;
    default: fill_planks(t, a, b, rng); break;
  }
}

RoomLook make_look(float hue, float sat, int wall_kind, int floor_kind, bool is_corridor, Rng& rng) {
  RoomLook look;
  const Rgb wall_a = hsv(hue, sat, rng.uniform(0.6f, 0.8f));
  const Rgb wall_b = hsv(hue + 0.06f, sat * 0.7f, rng.uniform(0.75f, 0.95f));
  fill_pattern(look.wall, wall_kind, wall_a, wall_b, rng);
  transpose(look.wall);

  const float pillar_hue = hue + 0.5f;
  fill_stripes(look.pillar, hsv(pillar_hue, 0.8f, 0.9f), hsv(pillar_hue + 0.08f, 0.3f, 0.95f), rng);
  transpose(look.pillar);

  const float floor_hue = hue + rng.uniform(-0.12f, 0.12f);
  const Rgb floor_a = hsv(floor_hue, sat * 0.8f, 0.45f), floor_b = hsv(floor_hue, sat * 0.5f, 0.6f);
  fill_pattern(look.floor, floor_kind, floor_a, floor_b, rng);

  const Rgb ceiling_a = hsv(hue, sat * 0.25f, 0.85f), ceiling_b = hsv(hue, sat * 0.15f, 0.75f);
  fill_tiles(look.ceiling, ceiling_a, ceiling_b, 32, rng);
  for (size_t i = 0; i < look.floor_ceiling.size(); ++i) {
    look.floor_ceiling[i] = look.floor.texels[i] | (std::uint64_t{look.ceiling.texels[i]} << 32);
  }
  look.map_colour = to_packed(hsv(hue, is_corridor ? 0.12f : 0.55f, is_corridor ? 0.72f : 0.85f));
  return look;
}

}  // namespace

std::vector<RoomLook> make_room_looks(std::uint64_t seed, int room_count) {
  Rng rng(mix_seed(seed, 2));
  std::vector<RoomLook> looks;
  looks.reserve(2 * static_cast<size_t>(room_count));
  const float hue0 = rng.uniform01();
  const int wall0 = rng.uniform_int(0, 4), floor0 = rng.uniform_int(0, 4);
  // Golden-ratio hue steps keep neighbouring room indices far apart on the colour wheel.
  auto hue_of = [&](int room) { return hue0 + 0.618034f * static_cast<float>(room); };
  for (int i = 0; i < room_count; ++i) {
    looks.push_back(make_look(hue_of(i), rng.uniform(0.45f, 0.7f), wall0 + i, floor0 + 2 * i + 1, false, rng));
  }
  // Corridors: greyish bricks and tiles with a faint tint of the nearest room.
  for (int i = 0; i < room_count; ++i) looks.push_back(make_look(hue_of(i), 0.16f, 0, 1, true, rng));
  return looks;
}

}  // namespace dw::nav
