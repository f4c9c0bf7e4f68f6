// The window's swapchain and the two-frames-in-flight loop that draws into it. A stale swapchain
// (out of date, suboptimal, resized) is rebuilt as ordinary control flow; a zero-area (minimized)
// window simply skips frames.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "nav/base/image.h"
#include "render/context.h"
#include "render/memory.h"

namespace dw::render {

class Swapchain {
 public:
  // The context must have been created with a surface. vsync: FIFO; otherwise mailbox/immediate.
  Swapchain(const Context& context, VkExtent2D wanted, bool vsync);
  ~Swapchain();
  Swapchain(const Swapchain&) = delete;
  Swapchain& operator=(const Swapchain&) = delete;

  // Recreates the images for a new size; false while the surface has zero area (minimized).
  bool rebuild(VkExtent2D wanted);
  bool is_usable() const { return swapchain_ != VK_NULL_HANDLE; }

  VkSwapchainKHR handle() const { return swapchain_; }
  // Survives rebuilds (the format is chosen once), so pipelines made for it stay valid.
  VkRenderPass render_pass() const { return render_pass_; }
  VkExtent2D extent() const { return extent_; }
  std::uint32_t image_count() const { return static_cast<std::uint32_t>(images_.size()); }
  std::uint32_t min_image_count() const { return min_image_count_; }
  VkImage image(std::uint32_t index) const { return images_[index]; }
  VkFramebuffer framebuffer(std::uint32_t index) const { return framebuffers_[index]; }
  VkSemaphore render_done(std::uint32_t index) const { return render_done_[index]; }
  bool is_readable() const { return is_readable_; }  // images allow TRANSFER_SRC (screenshots)
  bool is_bgr() const;

 private:
  void destroy_images();

  const Context& context_;
  bool vsync_;
  VkSurfaceFormatKHR format_{};
  VkRenderPass render_pass_ = VK_NULL_HANDLE;
  VkSwapchainKHR swapchain_ = VK_NULL_HANDLE;
  VkExtent2D extent_{0, 0};
  std::uint32_t min_image_count_ = 2;
  bool is_readable_ = false;
  std::vector<VkImage> images_;
  std::vector<VkImageView> views_;
  std::vector<VkFramebuffer> framebuffers_;
  std::vector<VkSemaphore> render_done_;  // per image: a present may still wait on it
};

struct Frame {
  VkCommandBuffer commands = VK_NULL_HANDLE;
  int slot = 0;                    // frames-in-flight index (0 or 1): pick per-frame resources
  std::uint32_t image_index = 0;
  VkExtent2D extent{0, 0};
};

class FrameLoop {
 public:
  static constexpr int kFramesInFlight = 2;

  FrameLoop(const Context& context, Swapchain& swapchain);
  ~FrameLoop();
  FrameLoop(const FrameLoop&) = delete;
  FrameLoop& operator=(const FrameLoop&) = delete;

  // Waits until this slot's previous frame is done, acquires an image and starts recording.
  // nullopt: nothing to draw this time (minimized, or the swapchain was just rebuilt).
  std::optional<Frame> begin(VkExtent2D window_size);
  void begin_render_pass(const Frame& frame, std::array<float, 4> clear) const;
  // Ends the pass, submits and presents. With `readback`, also copies the image and fills
  // `*readback` with it as RGB (waits for this frame; only for screenshots).
  void end(const Frame& frame, Image* readback);

 private:
  struct Slot {
    VkCommandPool pool = VK_NULL_HANDLE;
    VkCommandBuffer commands = VK_NULL_HANDLE;
    VkFence done = VK_NULL_HANDLE;
    VkSemaphore image_acquired = VK_NULL_HANDLE;
  };
  void record_readback(const Frame& frame);

  const Context& context_;
  Swapchain& swapchain_;
  std::array<Slot, kFramesInFlight> slots_{};
  int next_slot_ = 0;
  VkExtent2D window_size_{0, 0};
  bool needs_rebuild_ = false;
  std::unique_ptr<Buffer> readback_;
};

}  // namespace dw::render
