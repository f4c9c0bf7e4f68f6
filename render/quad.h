// The textured quad: draws a frame texture into a rectangle of the current render target with
// nearest or bilinear filtering, and the letterbox rule that keeps a frame's aspect ratio.
#pragma once

#include <vulkan/vulkan.h>

#include "render/context.h"
#include "render/texture.h"

namespace dw::render {

// Pixels, origin at the top-left of the render target.
struct Rect {
  float x = 0.0f;
  float y = 0.0f;
  float width = 0.0f;
  float height = 0.0f;
};

// The largest rectangle with the image's aspect ratio centred inside `area` (bars on two sides).
Rect letterbox(int image_width, int image_height, const Rect& area);

class QuadPipeline {
 public:
  // One pipeline per render pass it draws in (swapchain and offscreen formats differ).
  QuadPipeline(const Context& context, VkRenderPass render_pass);
  ~QuadPipeline();
  QuadPipeline(const QuadPipeline&) = delete;
  QuadPipeline& operator=(const QuadPipeline&) = delete;

  // Draws `texture` stretched over `rect` of a `target`-sized framebuffer, clipped to `clip`
  // (the whole target when its size is zero). Sets its own viewport and scissor.
  void draw(VkCommandBuffer commands, const Texture& texture, Filter filter, const Rect& rect,
            VkExtent2D target, const Rect& clip = {}) const;

 private:
  VkDevice device_;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

}  // namespace dw::render
