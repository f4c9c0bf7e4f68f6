#include "viewer/gui.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_vulkan.h>

#include "render/vk_check.h"

namespace dw::viewer {
namespace {

void check_imgui_vulkan(VkResult result) { VK_CHECK(result); }

}  // namespace

Gui::Gui(Window& window, const render::Context& context, const render::Swapchain& swapchain)
    : quad_(context, swapchain.render_pass()) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // a fixed layout: no imgui.ini appearing in the user's folder
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForVulkan(window.handle(), true);

  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = context.instance();
  info.PhysicalDevice = context.physical_device();
  info.Device = context.device();
  info.QueueFamily = context.queue_family();
  info.Queue = context.queue();
  info.DescriptorPool = context.descriptor_pool();
  info.MinImageCount = 2;
  // ImageCount only sizes the backend's ring of vertex buffers; it must cover the frames in
  // flight, not the swapchain, so swapchain rebuilds never need to tell it anything.
  info.ImageCount = render::FrameLoop::kFramesInFlight + 1;
  info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
  info.CheckVkResultFn = &check_imgui_vulkan;
  ImGui_ImplVulkan_Init(&info, swapchain.render_pass());
  context.submit_and_wait([](VkCommandBuffer commands) { ImGui_ImplVulkan_CreateFontsTexture(commands); });
  ImGui_ImplVulkan_DestroyFontUploadObjects();
}

Gui::~Gui() {
  ImGui_ImplVulkan_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
}

void Gui::new_frame() {
  draws_.clear();
  ImGui_ImplVulkan_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

render::Rect Gui::image(const render::Texture* texture, render::Filter filter, ImVec2 size) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  if (!texture || !texture->has_contents() || size.x <= 0 || size.y <= 0) return {};
  const render::Rect placed =
      render::letterbox(texture->width(), texture->height(), {origin.x, origin.y, size.x, size.y});
  draws_.push_back({texture, filter, placed, this});
  ImDrawList* list = ImGui::GetWindowDrawList();
  list->AddCallback(&Gui::draw_image, &draws_.back());
  list->AddCallback(ImDrawCallback_ResetRenderState, nullptr);  // the backend rebinds its pipeline
  const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
  return {placed.x * scale.x, placed.y * scale.y, placed.width * scale.x, placed.height * scale.y};
}

void Gui::draw_image(const ImDrawList*, const ImDrawCmd* command) {
  const auto* draw = static_cast<const ImageDraw*>(command->UserCallbackData);
  const Gui& gui = *draw->gui;
  const ImDrawData* data = ImGui::GetDrawData();
  const ImVec2 scale = data->FramebufferScale;
  const ImVec2 offset = data->DisplayPos;
  auto to_pixels = [&](const render::Rect& r) {
    return render::Rect{(r.x - offset.x) * scale.x, (r.y - offset.y) * scale.y, r.width * scale.x,
                        r.height * scale.y};
  };
  const ImVec4& c = command->ClipRect;
  const render::Rect clip = to_pixels({c.x, c.y, c.z - c.x, c.w - c.y});
  gui.quad_.draw(gui.recording_, *draw->texture, draw->filter, to_pixels(draw->rect), gui.extent_, clip);
}

void Gui::render(const render::Frame& frame) {
  ImGui::Render();
  recording_ = frame.commands;
  extent_ = frame.extent;
  ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), frame.commands);
  recording_ = VK_NULL_HANDLE;
}

}  // namespace dw::viewer
