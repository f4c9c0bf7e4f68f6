// Owned Vulkan buffers and images with their memory, and the layout-transition barrier helper.
// Kept deliberately plain (one allocation per resource): the viewer holds a handful of them.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

#include "render/context.h"

namespace dw::render {

class Buffer {
 public:
  // host_visible: persistently mapped, coherent (staging and readback); otherwise device-local.
  Buffer(const Context& context, VkDeviceSize size, VkBufferUsageFlags usage, bool host_visible);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  std::uint8_t* mapped() const { return mapped_; }

 private:
  VkDevice device_;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkDeviceSize size_;
  std::uint8_t* mapped_ = nullptr;
};

// A 2D, single-mip, device-local image with a colour view.
class GpuImage {
 public:
  GpuImage(const Context& context, std::uint32_t width, std::uint32_t height, VkFormat format,
           VkImageUsageFlags usage);
  ~GpuImage();
  GpuImage(const GpuImage&) = delete;
  GpuImage& operator=(const GpuImage&) = delete;

  VkImage handle() const { return image_; }
  VkImageView view() const { return view_; }
  VkFormat format() const { return format_; }
  std::uint32_t width() const { return width_; }
  std::uint32_t height() const { return height_; }

 private:
  VkDevice device_;
  VkImage image_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkImageView view_ = VK_NULL_HANDLE;
  VkFormat format_;
  std::uint32_t width_;
  std::uint32_t height_;
};

struct Access {
  VkPipelineStageFlags stage;
  VkAccessFlags access;
  VkImageLayout layout;
};

// One image memory barrier on the whole colour image, from `before` to `after`.
void transition(VkCommandBuffer commands, VkImage image, const Access& before, const Access& after);

VkImageView make_color_view(VkDevice device, VkImage image, VkFormat format);

}  // namespace dw::render
