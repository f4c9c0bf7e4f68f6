#include "render/context.h"

#include <cstdio>
#include <cstring>

#include "nav/base/user_error.h"
#include "render/vk_check.h"

namespace dw::render {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";
constexpr const char* kHeadlessHint = "; for output without a window use `dreamwalk rollout`";

bool has_layer(const char* name) {
  std::uint32_t count = 0;
  vkEnumerateInstanceLayerProperties(&count, nullptr);
  std::vector<VkLayerProperties> layers(count);
  vkEnumerateInstanceLayerProperties(&count, layers.data());
  for (const auto& layer : layers) {
    if (std::strcmp(layer.layerName, name) == 0) return true;
  }
  return false;
}

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance) {
  std::uint32_t count = 0;
  VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, nullptr));
  std::vector<VkPhysicalDevice> devices(count);
  VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, devices.data()));
  return devices;
}

// A queue family that draws and, when there is a surface, presents to it; -1 when none does.
int usable_queue_family(VkPhysicalDevice device, VkSurfaceKHR surface) {
  std::uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(device, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(device, &count, families.data());
  for (std::uint32_t i = 0; i < count; ++i) {
    if (!(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) continue;
    VkBool32 presents = VK_TRUE;
    if (surface) VK_CHECK(vkGetPhysicalDeviceSurfaceSupportKHR(device, i, surface, &presents));
    if (presents) return static_cast<int>(i);
  }
  return -1;
}

int type_preference(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
  }
}

GpuInfo describe(VkPhysicalDevice device) {
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(device, &properties);
  return GpuInfo{properties.deviceName, properties.deviceType};
}

VkSampler make_sampler(VkDevice device, VkFilter filter) {
  VkSamplerCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
  info.magFilter = filter;
  info.minFilter = filter;
  info.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST;
  info.addressModeU = info.addressModeV = info.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  info.maxLod = 0.0f;
  VkSampler sampler = VK_NULL_HANDLE;
  VK_CHECK(vkCreateSampler(device, &info, nullptr, &sampler));
  return sampler;
}

}  // namespace

Context::Context(const ContextOptions& options) {
  try {
    create_instance(options);
    if (options.make_surface) surface_ = options.make_surface(instance_);
    pick_gpu(options.gpu_index);
    create_device();
    create_shared_objects();
  } catch (...) {
    release();  // the destructor does not run for a throwing constructor
    throw;
  }
}

Context::~Context() { release(); }

void Context::release() {
  if (device_) {
    vkDeviceWaitIdle(device_);
    vkDestroyCommandPool(device_, setup_pool_, nullptr);
    vkDestroyDescriptorPool(device_, descriptor_pool_, nullptr);
    vkDestroyDescriptorSetLayout(device_, texture_set_layout_, nullptr);
    vkDestroySampler(device_, nearest_, nullptr);
    vkDestroySampler(device_, bilinear_, nullptr);
    vkDestroyDevice(device_, nullptr);
    device_ = VK_NULL_HANDLE;
  }
  if (instance_) {
    if (surface_) vkDestroySurfaceKHR(instance_, surface_, nullptr);
    if (messenger_) {
      auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
          vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
      if (destroy) destroy(instance_, messenger_, nullptr);
    }
    vkDestroyInstance(instance_, nullptr);
    instance_ = VK_NULL_HANDLE;
  }
  surface_ = VK_NULL_HANDLE;
  messenger_ = VK_NULL_HANDLE;
}

void Context::create_instance(const ContextOptions& options) {
  bool validate = options.validation != Validation::off && has_layer(kValidationLayer);
  if (options.validation == Validation::required && !validate) {
    throw UserError(std::string("Vulkan validation was requested but ") + kValidationLayer +
                    " is not installed (Debian: vulkan-validationlayers)");
  }
  std::vector<const char*> extensions;
  for (const auto& name : options.instance_extensions) extensions.push_back(name.c_str());
  if (validate) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);

  VkApplicationInfo app{};

  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "dreamwalk";
  app.apiVersion = VK_API_VERSION_1_1;
  VkDebugUtilsMessengerCreateInfoEXT messenger{};
  messenger.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
  messenger.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                              VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                          VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                          VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  messenger.pfnUserCallback = &Context::on_validation_message;
  messenger.pUserData = this;

  VkInstanceCreateInfo info{};

  info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  if (validate) {
    info.enabledLayerCount = 1;
    info.ppEnabledLayerNames = &kValidationLayer;
    info.pNext = &messenger;  // also catches messages from instance creation itself
  }
  VkResult result = vkCreateInstance(&info, nullptr, &instance_);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER || result == VK_ERROR_EXTENSION_NOT_PRESENT) {
    throw UserError(std::string("no usable Vulkan driver (") + vk_result_name(result) +
                    "; install mesa-vulkan-drivers for a software one)" + kHeadlessHint);
  }
  VK_CHECK(result);
  if (validate) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    VK_CHECK(create(instance_, &messenger, nullptr, &messenger_));
  }
}

void Context::pick_gpu(int gpu_index) {
  const std::vector<VkPhysicalDevice> devices = physical_devices(instance_);
  if (devices.empty()) throw UserError(std::string("no Vulkan device found") + kHeadlessHint);
  if (gpu_index >= static_cast<int>(devices.size())) {
    std::string names;
    for (size_t i = 0; i < devices.size(); ++i) {
      names += (i ? ", " : "") + std::to_string(i) + ": " + describe(devices[i]).name;
    }
    throw UserError("--gpu " + std::to_string(gpu_index) + " is out of range (devices: " + names + ")");
  }
  int best_score = -1;
  for (size_t i = 0; i < devices.size(); ++i) {
    if (gpu_index >= 0 && static_cast<int>(i) != gpu_index) continue;
    const int family = usable_queue_family(devices[i], surface_);
    if (family < 0) continue;
    const int score = type_preference(describe(devices[i]).type);
    if (score > best_score) {
      best_score = score;
      physical_device_ = devices[i];
      queue_family_ = static_cast<std::uint32_t>(family);
    }
  }
  if (!physical_device_) {
    throw UserError(std::string(gpu_index >= 0 ? "the chosen --gpu" : "no Vulkan device") +
                    " can draw" + (surface_ ? " and present to this window" : "") + kHeadlessHint);
  }
  gpu_ = describe(physical_device_);
  vkGetPhysicalDeviceMemoryProperties(physical_device_, &memory_properties_);
}

void Context::create_device() {
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{};
  queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  queue.queueFamilyIndex = queue_family_;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  const char* swapchain_extension = VK_KHR_SWAPCHAIN_EXTENSION_NAME;
  VkDeviceCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue;
  if (surface_) {
    info.enabledExtensionCount = 1;
    info.ppEnabledExtensionNames = &swapchain_extension;
  }
  VK_CHECK(vkCreateDevice(physical_device_, &info, nullptr, &device_));
  vkGetDeviceQueue(device_, queue_family_, 0, &queue_);
}

void Context::create_shared_objects() {
  nearest_ = make_sampler(device_, VK_FILTER_NEAREST);
  bilinear_ = make_sampler(device_, VK_FILTER_LINEAR);

  VkDescriptorSetLayoutBinding binding{};
  binding.binding = 0;
  binding.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
  binding.descriptorCount = 1;
  binding.stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT;
  VkDescriptorSetLayoutCreateInfo layout{};
  layout.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
  layout.bindingCount = 1;
  layout.pBindings = &binding;
  VK_CHECK(vkCreateDescriptorSetLayout(device_, &layout, nullptr, &texture_set_layout_));

  // Sized for a handful of textures (two sets each) plus the GUI's font.
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 128};
  VkDescriptorPoolCreateInfo pool{};
  pool.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  pool.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  pool.maxSets = 128;
  pool.poolSizeCount = 1;
  pool.pPoolSizes = &size;
  VK_CHECK(vkCreateDescriptorPool(device_, &pool, nullptr, &descriptor_pool_));

  VkCommandPoolCreateInfo commands{};

  commands.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  commands.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
  commands.queueFamilyIndex = queue_family_;
  VK_CHECK(vkCreateCommandPool(device_, &commands, nullptr, &setup_pool_));
}

std::uint32_t Context::find_memory_type(std::uint32_t type_bits, VkMemoryPropertyFlags properties) const {
  for (std::uint32_t i = 0; i < memory_properties_.memoryTypeCount; ++i) {
    if ((type_bits & (1u << i)) &&
        (memory_properties_.memoryTypes[i].propertyFlags & properties) == properties) {
      return i;
    }
  }
  throw VulkanError("no Vulkan memory type with the needed properties");
}

void Context::submit_and_wait(const std::function<void(VkCommandBuffer)>& record) const {
  VkCommandBufferAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  allocate.commandPool = setup_pool_;
  allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocate.commandBufferCount = 1;
  VkCommandBuffer command = VK_NULL_HANDLE;
  VK_CHECK(vkAllocateCommandBuffers(device_, &allocate, &command));
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VK_CHECK(vkBeginCommandBuffer(command, &begin));
  record(command);
  VK_CHECK(vkEndCommandBuffer(command));
  VkSubmitInfo submit{};
  submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &command;
  VK_CHECK(vkQueueSubmit(queue_, 1, &submit, VK_NULL_HANDLE));
  VK_CHECK(vkQueueWaitIdle(queue_));
  vkFreeCommandBuffers(device_, setup_pool_, 1, &command);
}

void Context::wait_idle() const { VK_CHECK(vkDeviceWaitIdle(device_)); }

VKAPI_ATTR VkBool32 VKAPI_CALL Context::on_validation_message(
    VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
    const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  static_cast<Context*>(user)->validation_messages_.fetch_add(1);
  std::fprintf(stderr, "vulkan validation: %s\n", data->pMessage);
  return VK_FALSE;
}

std::vector<GpuInfo> list_gpus() {
  VkInstanceCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  VkInstance instance = VK_NULL_HANDLE;
  if (vkCreateInstance(&info, nullptr, &instance) != VK_SUCCESS) return {};
  std::vector<GpuInfo> gpus;
  for (VkPhysicalDevice device : physical_devices(instance)) gpus.push_back(describe(device));
  vkDestroyInstance(instance, nullptr);
  return gpus;
}

}  // namespace dw::render
