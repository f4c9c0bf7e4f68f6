#include "viewer/window.h"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

#include <cstdlib>

#include "nav/base/user_error.h"
#include "render/vk_check.h"

namespace dw::viewer {
namespace {

constexpr double kMinimizedWaitSeconds = 0.25;
constexpr const char* kHeadlessHint = "; for frames without a window use `dreamwalk rollout`";

std::string last_glfw_error() {
  const char* description = nullptr;
  glfwGetError(&description);
  return description ? description : "unknown reason";
}

std::string key_name(int key) {
  if (key >= GLFW_KEY_A && key <= GLFW_KEY_Z) return std::string(1, static_cast<char>('A' + key - GLFW_KEY_A));
  if (key >= GLFW_KEY_0 && key <= GLFW_KEY_9) return std::string(1, static_cast<char>('0' + key - GLFW_KEY_0));
  switch (key) {
    case GLFW_KEY_LEFT: return "Left";
    case GLFW_KEY_RIGHT: return "Right";
    case GLFW_KEY_UP: return "Up";
    case GLFW_KEY_DOWN: return "Down";
    case GLFW_KEY_SPACE: return "Space";
    case GLFW_KEY_TAB: return "Tab";
    case GLFW_KEY_ESCAPE: return "Escape";
    case GLFW_KEY_ENTER: return "Enter";
    case GLFW_KEY_F1: return "F1";
    case GLFW_KEY_LEFT_SHIFT:
    case GLFW_KEY_RIGHT_SHIFT: return "Shift";
    case GLFW_KEY_LEFT_CONTROL:
    case GLFW_KEY_RIGHT_CONTROL: return "Control";
    default: return {};
  }
}

}  // namespace

Window::Window(int width, int height, const std::string& title) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland)) {
    throw UserError(std::string("no display to open the viewer on (DISPLAY is not set)") + kHeadlessHint);
  }
  if (!glfwInit()) {
    throw UserError("cannot open a window (" + last_glfw_error() + ")" + kHeadlessHint);
  }
  if (!glfwVulkanSupported()) {
    glfwTerminate();
    throw UserError(std::string("no Vulkan loader or driver for the window (install libvulkan1 and "
                                "mesa-vulkan-drivers)") + kHeadlessHint);
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) {
    const std::string reason = last_glfw_error();
    glfwTerminate();
    throw UserError("cannot open a window (" + reason + ")" + kHeadlessHint);
  }
  glfwSetWindowUserPointer(window_, this);
  // Installed before the GUI's, which chains to them.
  glfwSetKeyCallback(window_, &Window::on_key);
  glfwSetDropCallback(window_, &Window::on_drop);
  glfwSetWindowFocusCallback(window_, &Window::on_focus);
}

Window::~Window() {
  glfwDestroyWindow(window_);
  glfwTerminate();
}

std::vector<std::string> Window::vulkan_extensions() const {
  std::uint32_t count = 0;
  const char** names = glfwGetRequiredInstanceExtensions(&count);
  return std::vector<std::string>(names, names + count);
}

VkSurfaceKHR Window::create_surface(VkInstance instance) const {
  VkSurfaceKHR surface = VK_NULL_HANDLE;
  VK_CHECK(glfwCreateWindowSurface(instance, window_, nullptr, &surface));
  return surface;
}

VkExtent2D Window::framebuffer_size() const {
  int width = 0;
  int height = 0;
  glfwGetFramebufferSize(window_, &width, &height);
  return {static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height)};
}

bool Window::should_close() const { return glfwWindowShouldClose(window_) != 0; }
void Window::close() { glfwSetWindowShouldClose(window_, GLFW_TRUE); }
void Window::poll_events() {
  // A minimized window has nothing to draw: polling would spin a core on an empty frame loop, so
  // wait for the event that restores it. The timeout keeps the app checking for a finished script
  // or a failed worker in the meantime.
  const VkExtent2D size = framebuffer_size();
  if (size.width == 0 || size.height == 0) {
    glfwWaitEventsTimeout(kMinimizedWaitSeconds);
  } else {
    glfwPollEvents();
  }
}

std::vector<KeyEvent> Window::take_key_events() { return std::move(key_events_); }
std::vector<std::string> Window::take_dropped_paths() { return std::move(dropped_); }

bool Window::take_focus_lost() {
  const bool lost = focus_lost_;
  focus_lost_ = false;
  return lost;
}

void Window::on_key(GLFWwindow* window, int key, int, int action, int) {
  if (action == GLFW_REPEAT) return;  // held keys are state, not repeated events
  const std::string name = key_name(key);
  if (name.empty()) return;
  static_cast<Window*>(glfwGetWindowUserPointer(window))->key_events_.push_back({name, action == GLFW_PRESS});
}

void Window::on_drop(GLFWwindow* window, int count, const char** paths) {
  auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window));
  for (int i = 0; i < count; ++i) self->dropped_.emplace_back(paths[i]);
}

void Window::on_focus(GLFWwindow* window, int focused) {
  if (!focused) static_cast<Window*>(glfwGetWindowUserPointer(window))->focus_lost_ = true;
}

}  // namespace dw::viewer
