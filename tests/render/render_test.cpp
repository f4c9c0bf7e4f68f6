// The render layer: letterboxing, and (with a Vulkan device) a known texture drawn through the
// textured-quad pipeline offscreen and read back — exact with nearest filtering, close with
// bilinear — with the validation layer on and required to stay silent.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "render/context.h"
#include "render/offscreen.h"
#include "render/quad.h"
#include "render/texture.h"
#include "render/vk_check.h"

using namespace dw;
using namespace dw::render;

namespace {

Image test_pattern(int width, int height, int seed) {
  Image image(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* pixel = image.at(x, y);
      pixel[0] = static_cast<std::uint8_t>((x * 37 + y * 11 + seed * 5) % 256);
      pixel[1] = static_cast<std::uint8_t>((x * 3 + y * 71 + seed) % 256);
      pixel[2] = static_cast<std::uint8_t>(((x ^ y) * 29 + seed * 13) % 256);
    }
  }
  return image;
}

// What a bilinear sampler with clamp-to-edge returns at the centre of output pixel (x, y) when
// the image is stretched by `scale`.
float bilinear_reference(const Image& image, int x, int y, int channel, int scale) {
  const float s = (static_cast<float>(x) + 0.5f) / static_cast<float>(scale) - 0.5f;
  const float t = (static_cast<float>(y) + 0.5f) / static_cast<float>(scale) - 0.5f;
  const int x0 = static_cast<int>(std::floor(s));
  const int y0 = static_cast<int>(std::floor(t));
  const float fx = s - static_cast<float>(x0);
  const float fy = t - static_cast<float>(y0);
  auto texel = [&](int tx, int ty) {
    tx = std::clamp(tx, 0, image.width - 1);
    ty = std::clamp(ty, 0, image.height - 1);
    return static_cast<float>(image.at(tx, ty)[channel]);
  };
  const float top = texel(x0, y0) * (1 - fx) + texel(x0 + 1, y0) * fx;
  const float bottom = texel(x0, y0 + 1) * (1 - fx) + texel(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

ContextOptions test_options() {
  ContextOptions options;
  options.validation = Validation::required;
  return options;
}

}  // namespace

TEST_CASE("letterbox keeps the aspect ratio and centres the image", "[render]") {
  const Rect wide = letterbox(64, 64, {10, 20, 200, 100});
  CHECK(wide.width == Approx(100));
  CHECK(wide.height == Approx(100));
  CHECK(wide.x == Approx(60));
  CHECK(wide.y == Approx(20));
  const Rect tall = letterbox(128, 64, {0, 0, 100, 300});
  CHECK(tall.width == Approx(100));
  CHECK(tall.height == Approx(50));
  CHECK(tall.y == Approx(125));
  CHECK(letterbox(0, 64, {0, 0, 10, 10}).width == 0);
}

TEST_CASE("vk_result_name names results", "[render]") {
  CHECK(std::string(vk_result_name(VK_ERROR_DEVICE_LOST)) == "VK_ERROR_DEVICE_LOST");
  CHECK(std::string(vk_result_name(VK_ERROR_OUT_OF_DATE_KHR)) == "VK_ERROR_OUT_OF_DATE_KHR");
  auto fail = [] { VK_CHECK(VK_ERROR_DEVICE_LOST); };
  CHECK_THROWS_WITH(fail(), Catch::Contains("VK_ERROR_DEVICE_LOST") && Catch::Contains("render_test.cpp"));
}

TEST_CASE("a texture drawn offscreen reads back as its source pixels", "[render][vulkan]") {
  Context context(test_options());
  REQUIRE(context.is_validating());
  const Image source = test_pattern(24, 16, 1);
  StagingRing ring(context, 1 << 20, 2);
  Texture texture(context, source.width, source.height);
  context.submit_and_wait([&](VkCommandBuffer commands) { texture.upload(commands, ring, source); });

  SECTION("nearest at 1:1 is exact") {
    OffscreenTarget target(context, source.width, source.height);
    QuadPipeline quad(context, target.render_pass());
    const Image result = target.render([&](VkCommandBuffer commands) {
      quad.draw(commands, texture, Filter::nearest, {0, 0, 24, 16}, target.extent());
    });
    CHECK(result.pixels == source.pixels);
  }
  SECTION("nearest at 4x repeats every texel exactly") {
    const int scale = 4;
    OffscreenTarget target(context, source.width * scale, source.height * scale);
    QuadPipeline quad(context, target.render_pass());
    const Image result = target.render([&](VkCommandBuffer commands) {
      quad.draw(commands, texture, Filter::nearest, {0, 0, 96, 64}, target.extent());
    });
    int mismatches = 0;
    for (int y = 0; y < result.height; ++y) {
      for (int x = 0; x < result.width; ++x) {
        for (int c = 0; c < 3; ++c) mismatches += result.at(x, y)[c] != source.at(x / scale, y / scale)[c];
      }
    }
    CHECK(mismatches == 0);
  }
  SECTION("bilinear at 4x matches the reference within 2 levels") {
    const int scale = 4;
    OffscreenTarget target(context, source.width * scale, source.height * scale);
    QuadPipeline quad(context, target.render_pass());
    const Image result = target.render([&](VkCommandBuffer commands) {
      quad.draw(commands, texture, Filter::bilinear, {0, 0, 96, 64}, target.extent());
    });
    float worst = 0.0f;
    for (int y = 0; y < result.height; ++y) {
      for (int x = 0; x < result.width; ++x) {
        for (int c = 0; c < 3; ++c) {
          const float expected = bilinear_reference(source, x, y, c, scale);
          worst = std::max(worst, std::abs(expected - static_cast<float>(result.at(x, y)[c])));
        }
      }
    }
    CHECK(worst <= 2.0f);
  }
  SECTION("letterboxed drawing leaves the bars at the clear colour") {
    OffscreenTarget target(context, 48, 48);
    QuadPipeline quad(context, target.render_pass());
    const Rect placed = letterbox(source.width, source.height, {0, 0, 48, 48});  // 48 x 32 at y 8
    const Image result = target.render([&](VkCommandBuffer commands) {
      quad.draw(commands, texture, Filter::nearest, placed, target.extent());
    });
    CHECK(result.at(5, 3)[0] == 0);
    CHECK(result.at(5, 44)[1] == 0);
    CHECK(std::equal(result.at(0, 8), result.at(0, 8) + 3, source.at(0, 0)));
    CHECK(std::equal(result.at(47, 39), result.at(47, 39) + 3, source.at(23, 15)));
  }
  CHECK(context.validation_message_count() == 0);
}

TEST_CASE("frames streamed through the staging ring each arrive intact", "[render][vulkan]") {
  Context context(test_options());
  StagingRing ring(context, 24 * 16 * 4 + 64, 2);
  Texture texture(context, 24, 16);
  OffscreenTarget target(context, 24, 16);
  QuadPipeline quad(context, target.render_pass());
  for (int frame = 0; frame < 6; ++frame) {
    const Image source = test_pattern(24, 16, frame + 2);
    ring.begin_frame(frame % 2);
    context.submit_and_wait([&](VkCommandBuffer commands) {
      texture.upload(commands, ring, source);
      target.record(commands, [&](VkCommandBuffer draw) {
        quad.draw(draw, texture, Filter::nearest, {0, 0, 24, 16}, target.extent());
      });
    });
    CHECK(target.read_back().pixels == source.pixels);
  }
  CHECK_THROWS_AS(ring.allocate(1 << 20), VulkanError);
  CHECK(context.validation_message_count() == 0);
}

TEST_CASE("an out-of-range --gpu is a user error naming the devices", "[render][vulkan]") {
  ContextOptions options = test_options();
  options.gpu_index = 99;
  CHECK_THROWS_WITH(Context(options), Catch::Contains("--gpu 99"));
}
