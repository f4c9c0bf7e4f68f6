// An offscreen colour target with readback to an RGB image: screenshots without a window, and the
// render tests (draw, read back, compare with the source pixels).
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <functional>

#include "nav/base/image.h"
#include "render/context.h"
#include "render/memory.h"

namespace dw::render {

VkRenderPass make_color_render_pass(VkDevice device, VkFormat format, VkImageLayout final_layout);

class OffscreenTarget {
 public:
  OffscreenTarget(const Context& context, int width, int height);
  ~OffscreenTarget();
  OffscreenTarget(const OffscreenTarget&) = delete;
  OffscreenTarget& operator=(const OffscreenTarget&) = delete;

  VkRenderPass render_pass() const { return render_pass_; }
  VkExtent2D extent() const { return {image_.width(), image_.height()}; }

  // Records: clear, `draw` inside the render pass, then the copy into the readback buffer.
  void record(VkCommandBuffer commands, const std::function<void(VkCommandBuffer)>& draw,
              std::array<float, 4> clear = {0.0f, 0.0f, 0.0f, 1.0f}) const;
  // The last recorded frame as RGB; valid once its commands have completed.
  Image read_back() const;
  // record + submit + wait + read_back in one call.
  Image render(const std::function<void(VkCommandBuffer)>& draw,
               std::array<float, 4> clear = {0.0f, 0.0f, 0.0f, 1.0f}) const;

 private:
  const Context& context_;
  GpuImage image_;
  Buffer readback_;
  VkRenderPass render_pass_ = VK_NULL_HANDLE;
  VkFramebuffer framebuffer_ = VK_NULL_HANDLE;
};

}  // namespace dw::render
