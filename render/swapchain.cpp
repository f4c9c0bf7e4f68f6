#include "render/swapchain.h"

#include <algorithm>

#include "render/offscreen.h"
#include "render/vk_check.h"

namespace dw::render {
namespace {

VkSurfaceFormatKHR choose_format(VkPhysicalDevice device, VkSurfaceKHR surface) {
  std::uint32_t count = 0;
  VK_CHECK(vkGetPhysicalDeviceSurfaceFormatsKHR(device, surface, &count, nullptr));
  std::vector<VkSurfaceFormatKHR> formats(count);
  VK_CHECK(vkGetPhysicalDeviceSurfaceFormatsKHR(device, surface, &count, formats.data()));
  if (formats.empty()) throw VulkanError("the window surface offers no formats");
  // UNORM, not SRGB: frames are already sRGB-encoded bytes and must reach the screen unchanged.
  for (VkFormat wanted : {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM}) {
    for (const auto& format : formats) {
      if (format.format == wanted) return format;
    }
  }
  return formats.front();
}

VkPresentModeKHR choose_present_mode(VkPhysicalDevice device, VkSurfaceKHR surface, bool vsync) {
  if (vsync) return VK_PRESENT_MODE_FIFO_KHR;  // always supported
  std::uint32_t count = 0;
  VK_CHECK(vkGetPhysicalDeviceSurfacePresentModesKHR(device, surface, &count, nullptr));
  std::vector<VkPresentModeKHR> modes(count);
  VK_CHECK(vkGetPhysicalDeviceSurfacePresentModesKHR(device, surface, &count, modes.data()));
  for (VkPresentModeKHR wanted : {VK_PRESENT_MODE_MAILBOX_KHR, VK_PRESENT_MODE_IMMEDIATE_KHR}) {
    if (std::find(modes.begin(), modes.end(), wanted) != modes.end()) return wanted;
  }
  return VK_PRESENT_MODE_FIFO_KHR;
}

}  // namespace

Swapchain::Swapchain(const Context& context, VkExtent2D wanted, bool vsync)
    : context_(context), vsync_(vsync) {
  format_ = choose_format(context.physical_device(), context.surface());
  render_pass_ = make_color_render_pass(context.device(), format_.format, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR);
  rebuild(wanted);
}

Swapchain::~Swapchain() {
  destroy_images();
  vkDestroySwapchainKHR(context_.device(), swapchain_, nullptr);
  vkDestroyRenderPass(context_.device(), render_pass_, nullptr);
}

bool Swapchain::is_bgr() const {
  return format_.format == VK_FORMAT_B8G8R8A8_UNORM || format_.format == VK_FORMAT_B8G8R8A8_SRGB;
}

void Swapchain::destroy_images() {
  const VkDevice device = context_.device();
  for (VkFramebuffer framebuffer : framebuffers_) vkDestroyFramebuffer(device, framebuffer, nullptr);
  for (VkImageView view : views_) vkDestroyImageView(device, view, nullptr);
  for (VkSemaphore semaphore : render_done_) vkDestroySemaphore(device, semaphore, nullptr);
  framebuffers_.clear();
  views_.clear();
  render_done_.clear();
  images_.clear();
}

bool Swapchain::rebuild(VkExtent2D wanted) {
  const VkDevice device = context_.device();
  VkSurfaceCapabilitiesKHR caps;
  VK_CHECK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(context_.physical_device(), context_.surface(), &caps));
  VkExtent2D extent = caps.currentExtent;
  if (extent.width == UINT32_MAX) {  // the surface lets the swapchain choose
    extent.width = std::clamp(wanted.width, caps.minImageExtent.width, caps.maxImageExtent.width);
    extent.height = std::clamp(wanted.height, caps.minImageExtent.height, caps.maxImageExtent.height);
  }
  context_.wait_idle();  // nothing in flight may still use the old images
  destroy_images();
  if (extent.width == 0 || extent.height == 0) {
    vkDestroySwapchainKHR(device, swapchain_, nullptr);
    swapchain_ = VK_NULL_HANDLE;
    return false;
  }
  min_image_count_ = caps.minImageCount + 1;
  if (caps.maxImageCount > 0) min_image_count_ = std::min(min_image_count_, caps.maxImageCount);
  is_readable_ = (caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT) != 0;

  VkSwapchainCreateInfoKHR info{};

  info.sType = VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR;
  info.surface = context_.surface();
  info.minImageCount = min_image_count_;
  info.imageFormat = format_.format;
  info.imageColorSpace = format_.colorSpace;
  info.imageExtent = extent;
  info.imageArrayLayers = 1;
  info.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | (is_readable_ ? VK_IMAGE_USAGE_TRANSFER_SRC_BIT : 0);
  info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.preTransform = caps.currentTransform;
  info.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  info.presentMode = choose_present_mode(context_.physical_device(), context_.surface(), vsync_);
  info.clipped = VK_TRUE;
  info.oldSwapchain = swapchain_;
  VkSwapchainKHR created = VK_NULL_HANDLE;
  VK_CHECK(vkCreateSwapchainKHR(device, &info, nullptr, &created));
  vkDestroySwapchainKHR(device, swapchain_, nullptr);
  swapchain_ = created;
  extent_ = extent;

  std::uint32_t count = 0;
  VK_CHECK(vkGetSwapchainImagesKHR(device, swapchain_, &count, nullptr));
  images_.resize(count);
  VK_CHECK(vkGetSwapchainImagesKHR(device, swapchain_, &count, images_.data()));
  for (VkImage image : images_) {
    views_.push_back(make_color_view(device, image, format_.format));
    VkFramebufferCreateInfo framebuffer{};
    framebuffer.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO;
    framebuffer.renderPass = render_pass_;
    framebuffer.attachmentCount = 1;
    framebuffer.pAttachments = &views_.back();
    framebuffer.width = extent.width;
    framebuffer.height = extent.height;
    framebuffer.layers = 1;
    framebuffers_.push_back(VK_NULL_HANDLE);
    VK_CHECK(vkCreateFramebuffer(device, &framebuffer, nullptr, &framebuffers_.back()));
    VkSemaphoreCreateInfo semaphore{};
    semaphore.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO;
    render_done_.push_back(VK_NULL_HANDLE);
    VK_CHECK(vkCreateSemaphore(device, &semaphore, nullptr, &render_done_.back()));
  }
  return true;
}

}  // namespace dw::render
