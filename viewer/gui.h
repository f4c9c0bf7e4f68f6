// Dear ImGui on our window and swapchain (Debian's 1.86 GLFW + Vulkan backends). That Vulkan
// backend only draws its font texture, so frame images are drawn by our textured-quad pipeline
// from draw-list callbacks: they sit in ImGui's draw order and clip like any widget.
#pragma once

#include <imgui.h>

#include <deque>

#include "render/context.h"
#include "render/quad.h"
#include "render/swapchain.h"
#include "render/texture.h"
#include "viewer/window.h"

namespace dw::viewer {

class Gui {
 public:
  Gui(Window& window, const render::Context& context, const render::Swapchain& swapchain);
  ~Gui();
  Gui(const Gui&) = delete;
  Gui& operator=(const Gui&) = delete;

  void new_frame();
  // An image widget of `size` in the current ImGui window, the texture letterboxed inside it.
  // Returns where the image lands on screen (framebuffer pixels).
  render::Rect image(const render::Texture* texture, render::Filter filter, ImVec2 size);
  // Finishes the ImGui frame and records it into `frame` (inside its render pass).
  void render(const render::Frame& frame);
  // Closes an ImGui frame that will not be drawn (minimized window, swapchain being rebuilt).
  void skip_frame() { ImGui::EndFrame(); }
  bool wants_keyboard() const { return ImGui::GetIO().WantCaptureKeyboard; }

 private:
  struct ImageDraw {
    const render::Texture* texture;
    render::Filter filter;
    render::Rect rect;  // ImGui coordinates
    Gui* gui;
  };
  static void draw_image(const ImDrawList* list, const ImDrawCmd* command);

  render::QuadPipeline quad_;
  std::deque<ImageDraw> draws_;  // this frame's image callbacks; a deque keeps their addresses
  VkCommandBuffer recording_ = VK_NULL_HANDLE;
  VkExtent2D extent_{0, 0};
};

}  // namespace dw::viewer
