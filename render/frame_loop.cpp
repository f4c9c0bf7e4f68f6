// FrameLoop (declared in swapchain.h): acquire, record, submit, present with two frames in flight.
#include <cstring>

#include "render/swapchain.h"
#include "render/vk_check.h"

namespace dw::render {

FrameLoop::FrameLoop(const Context& context, Swapchain& swapchain)
    : context_(context), swapchain_(swapchain), window_size_(swapchain.extent()) {
  const VkDevice device = context.device();
  for (Slot& slot : slots_) {
    VkCommandPoolCreateInfo pool{};
    pool.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool.queueFamilyIndex = context.queue_family();
    VK_CHECK(vkCreateCommandPool(device, &pool, nullptr, &slot.pool));
    VkCommandBufferAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    allocate.commandPool = slot.pool;
    allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocate.commandBufferCount = 1;
    VK_CHECK(vkAllocateCommandBuffers(device, &allocate, &slot.commands));
    VkFenceCreateInfo fence{};
    fence.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    fence.flags = VK_FENCE_CREATE_SIGNALED_BIT;  // the first wait must not block
    VK_CHECK(vkCreateFence(device, &fence, nullptr, &slot.done));
    VkSemaphoreCreateInfo semaphore{};
    semaphore.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    VK_CHECK(vkCreateSemaphore(device, &semaphore, nullptr, &slot.image_acquired));
  }
}

FrameLoop::~FrameLoop() {
  const VkDevice device = context_.device();
  vkDeviceWaitIdle(device);
  for (Slot& slot : slots_) {
    vkDestroySemaphore(device, slot.image_acquired, nullptr);
    vkDestroyFence(device, slot.done, nullptr);
    vkDestroyCommandPool(device, slot.pool, nullptr);
  }
}

std::optional<Frame> FrameLoop::begin(VkExtent2D window_size) {
  const bool resized = window_size.width != window_size_.width || window_size.height != window_size_.height;
  window_size_ = window_size;
  // Minimized: nothing to draw. The caller waits for window events before trying again (the
  // viewer's Window::poll_events does), so this early return is not a busy loop.
  if (window_size.width == 0 || window_size.height == 0) return std::nullopt;
  if (resized || needs_rebuild_ || !swapchain_.is_usable()) {
    needs_rebuild_ = false;
    if (!swapchain_.rebuild(window_size)) return std::nullopt;
  }
  Slot& slot = slots_[static_cast<size_t>(next_slot_)];
  VK_CHECK(vkWaitForFences(context_.device(), 1, &slot.done, VK_TRUE, UINT64_MAX));
  std::uint32_t image_index = 0;
  const VkResult acquired = vkAcquireNextImageKHR(context_.device(), swapchain_.handle(), UINT64_MAX,
                                                  slot.image_acquired, VK_NULL_HANDLE, &image_index);
  if (acquired == VK_ERROR_OUT_OF_DATE_KHR) {  // ordinary: rebuild and draw next time
    needs_rebuild_ = true;
    return std::nullopt;
  }
  if (acquired != VK_SUBOPTIMAL_KHR) VK_CHECK(acquired);  // suboptimal still presents; rebuilt after
  // Reset only now: a fence reset without a submit would block this slot forever.
  VK_CHECK(vkResetFences(context_.device(), 1, &slot.done));
  VK_CHECK(vkResetCommandBuffer(slot.commands, 0));
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VK_CHECK(vkBeginCommandBuffer(slot.commands, &begin));
  if (acquired == VK_SUBOPTIMAL_KHR) needs_rebuild_ = true;
  return Frame{slot.commands, next_slot_, image_index, swapchain_.extent()};
}

void FrameLoop::begin_render_pass(const Frame& frame, std::array<float, 4> clear) const {
  VkClearValue clear_value{};
  for (int i = 0; i < 4; ++i) clear_value.color.float32[i] = clear[static_cast<size_t>(i)];
  VkRenderPassBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
  begin.renderPass = swapchain_.render_pass();
  begin.framebuffer = swapchain_.framebuffer(frame.image_index);
  begin.renderArea = {{0, 0}, frame.extent};
  begin.clearValueCount = 1;
  begin.pClearValues = &clear_value;
  vkCmdBeginRenderPass(frame.commands, &begin, VK_SUBPASS_CONTENTS_INLINE);
}

void FrameLoop::record_readback(const Frame& frame) {
  const VkDeviceSize bytes = static_cast<VkDeviceSize>(frame.extent.width) * frame.extent.height * 4;
  if (!readback_ || readback_->size() != bytes) {
    readback_ = std::make_unique<Buffer>(context_, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, true);
  }
  const VkImage image = swapchain_.image(frame.image_index);
  transition(frame.commands, image,
             {VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
              VK_IMAGE_LAYOUT_PRESENT_SRC_KHR},
             {VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL});
  VkBufferImageCopy region{};
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageExtent = {frame.extent.width, frame.extent.height, 1};
  vkCmdCopyImageToBuffer(frame.commands, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback_->handle(), 1,
                         &region);
  transition(frame.commands, image,
             {VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL},
             {VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR});
}

void FrameLoop::end(const Frame& frame, Image* readback) {
  Slot& slot = slots_[static_cast<size_t>(frame.slot)];
  vkCmdEndRenderPass(frame.commands);
  const bool reads_back = readback != nullptr && swapchain_.is_readable();
  if (reads_back) record_readback(frame);
  VK_CHECK(vkEndCommandBuffer(frame.commands));

  const VkSemaphore render_done = swapchain_.render_done(frame.image_index);
  const VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  VkSubmitInfo submit{};
  submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = &slot.image_acquired;
  submit.pWaitDstStageMask = &wait_stage;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &frame.commands;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &render_done;
  VK_CHECK(vkQueueSubmit(context_.queue(), 1, &submit, slot.done));

  const VkSwapchainKHR swapchain = swapchain_.handle();
  VkPresentInfoKHR present{};
  present.sType = VK_STRUCTURE_TYPE_PRESENT_INFO_KHR;
  present.waitSemaphoreCount = 1;
  present.pWaitSemaphores = &render_done;
  present.swapchainCount = 1;
  present.pSwapchains = &swapchain;
  present.pImageIndices = &frame.image_index;
  const VkResult presented = vkQueuePresentKHR(context_.queue(), &present);
  if (presented == VK_ERROR_OUT_OF_DATE_KHR || presented == VK_SUBOPTIMAL_KHR) {
    needs_rebuild_ = true;  // ordinary: the window changed under us
  } else {
    VK_CHECK(presented);
  }
  next_slot_ = (next_slot_ + 1) % kFramesInFlight;

  if (readback != nullptr) {
    *readback = Image(static_cast<int>(frame.extent.width), static_cast<int>(frame.extent.height));
    if (!reads_back) return;  // the surface cannot be read: a black image, same size
    VK_CHECK(vkWaitForFences(context_.device(), 1, &slot.done, VK_TRUE, UINT64_MAX));
    const std::uint8_t* source = readback_->mapped();
    const bool bgr = swapchain_.is_bgr();
    const size_t texels = static_cast<size_t>(frame.extent.width) * frame.extent.height;
    for (size_t i = 0; i < texels; ++i) {
      readback->pixels[i * 3 + 0] = source[i * 4 + (bgr ? 2 : 0)];
      readback->pixels[i * 3 + 1] = source[i * 4 + 1];
      readback->pixels[i * 3 + 2] = source[i * 4 + (bgr ? 0 : 2)];
    }
  }
}

}  // namespace dw::render
