// The one way Vulkan calls are checked: VK_CHECK(call) throws dw::render::VulkanError naming the
// VkResult, the call, the file and the line. An out-of-date swapchain is not routed through here:
// the swapchain code treats it as ordinary control flow (rebuild).
#pragma once

#include <vulkan/vulkan.h>

#include <stdexcept>
#include <string>

namespace dw::render {

class VulkanError : public std::runtime_error {
 public:
  explicit VulkanError(const std::string& message) : std::runtime_error(message) {}
};

// "VK_ERROR_DEVICE_LOST" etc.; "VK_RESULT(<n>)" for codes this build does not know.
const char* vk_result_name(VkResult result);

[[noreturn]] void throw_vulkan_error(VkResult result, const char* call, const char* file, int line);

}  // namespace dw::render

#define VK_CHECK(call)                                                          \
  do {                                                                          \
    const VkResult vk_check_result_ = (call);                                   \
    if (vk_check_result_ != VK_SUCCESS) {                                       \
      ::dw::render::throw_vulkan_error(vk_check_result_, #call, __FILE__, __LINE__); \
    }                                                                           \
  } while (false)
