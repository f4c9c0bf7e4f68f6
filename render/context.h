// The Vulkan instance, the chosen GPU and its logical device, plus the few objects every other
// render unit shares (texture samplers, the texture descriptor layout and pool, one-shot commands).
// With validation on, a debug messenger counts every warning/error so tests can fail on any.
#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace dw::render {

enum class Validation { off, if_available, required };
enum class Filter { nearest, bilinear };

struct ContextOptions {
  // Extensions the window system needs (from glfwGetRequiredInstanceExtensions); empty offscreen.
  std::vector<std::string> instance_extensions;
#ifdef NDEBUG
  Validation validation = Validation::off;
#else
  Validation validation = Validation::if_available;
#endif
  int gpu_index = -1;  // -1: prefer a discrete GPU, then integrated, then anything (lavapipe)
  // Creates the window surface once the instance exists; the chosen queue must present to it.
  // Kept as a callback so this layer never sees the window library.
  std::function<VkSurfaceKHR(VkInstance)> make_surface;
};

struct GpuInfo {
  std::string name;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
};

class Context {
 public:
  // Throws dw::UserError when there is no usable Vulkan device (or --gpu is out of range).
  explicit Context(const ContextOptions& options);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  VkInstance instance() const { return instance_; }
  VkPhysicalDevice physical_device() const { return physical_device_; }
  VkDevice device() const { return device_; }
  VkQueue queue() const { return queue_; }
  std::uint32_t queue_family() const { return queue_family_; }
  VkSurfaceKHR surface() const { return surface_; }
  const GpuInfo& gpu() const { return gpu_; }

  bool is_validating() const { return messenger_ != VK_NULL_HANDLE; }
  // Validation warnings and errors seen so far (each is also printed to stderr).
  int validation_message_count() const { return validation_messages_.load(); }

  VkSampler sampler(Filter filter) const { return filter == Filter::nearest ? nearest_ : bilinear_; }
  VkDescriptorSetLayout texture_set_layout() const { return texture_set_layout_; }
  VkDescriptorPool descriptor_pool() const { return descriptor_pool_; }

  std::uint32_t find_memory_type(std::uint32_t type_bits, VkMemoryPropertyFlags properties) const;
  // Records `record` into a fresh command buffer, submits it and waits (setup and tests only).
  void submit_and_wait(const std::function<void(VkCommandBuffer)>& record) const;
  void wait_idle() const;

 private:
  void release();
  void create_instance(const ContextOptions& options);
  void pick_gpu(int gpu_index);
  void create_device();
  void create_shared_objects();
  static VKAPI_ATTR VkBool32 VKAPI_CALL on_validation_message(
      VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT types,
      const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);

  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_device_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  std::uint32_t queue_family_ = 0;
  GpuInfo gpu_;
  VkPhysicalDeviceMemoryProperties memory_properties_{};
  VkSampler nearest_ = VK_NULL_HANDLE;
  VkSampler bilinear_ = VK_NULL_HANDLE;
  VkDescriptorSetLayout texture_set_layout_ = VK_NULL_HANDLE;
  VkDescriptorPool descriptor_pool_ = VK_NULL_HANDLE;
  VkCommandPool setup_pool_ = VK_NULL_HANDLE;
  std::atomic<int> validation_messages_{0};
};

// Every Vulkan GPU in enumeration order (the numbering --gpu uses). Empty when Vulkan is missing.
std::vector<GpuInfo> list_gpus();

}  // namespace dw::render
