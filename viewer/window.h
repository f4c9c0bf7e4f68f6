// The desktop window (GLFW): creation with a clear "no display" error, the Vulkan surface, and
// keyboard and file-drop events turned into key names and paths for the app. The only unit
// besides the GUI that sees GLFW.
#pragma once

#include <vulkan/vulkan.h>

#include <string>
#include <vector>

struct GLFWwindow;

namespace dw::viewer {

struct KeyEvent {
  std::string key;  // canonical name ("W", "Left", "F1"); see key_bindings.h
  bool is_down = true;
};

class Window {
 public:
  // Throws UserError (pointing to `dreamwalk rollout`) without a display or a Vulkan loader.
  Window(int width, int height, const std::string& title);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  GLFWwindow* handle() const { return window_; }
  std::vector<std::string> vulkan_extensions() const;
  VkSurfaceKHR create_surface(VkInstance instance) const;
  VkExtent2D framebuffer_size() const;
  bool should_close() const;
  void close();
  // Takes the pending events; while minimized (a 0x0 framebuffer) waits for one, up to 0.25 s.
  void poll_events();
  std::vector<KeyEvent> take_key_events();
  std::vector<std::string> take_dropped_paths();
  // True when focus was lost since the last call (held keys must then be released).
  bool take_focus_lost();

 private:
  static void on_key(GLFWwindow* window, int key, int scancode, int action, int mods);
  static void on_drop(GLFWwindow* window, int count, const char** paths);
  static void on_focus(GLFWwindow* window, int focused);

  GLFWwindow* window_ = nullptr;
  std::vector<KeyEvent> key_events_;
  std::vector<std::string> dropped_;
  bool focus_lost_ = false;
};

}  // namespace dw::viewer
