#include "render/offscreen.h"

#include "render/vk_check.h"

namespace dw::render {

VkRenderPass make_color_render_pass(VkDevice device, VkFormat format, VkImageLayout final_layout) {
  VkAttachmentDescription color{};
  color.format = format;
  color.samples = VK_SAMPLE_COUNT_1_BIT;
  color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  color.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  color.finalLayout = final_layout;
  VkAttachmentReference reference{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkSubpassDescription subpass{};
  subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subpass.colorAttachmentCount = 1;
  subpass.pColorAttachments = &reference;
  // The previous frame may still read or present this image: order our writes after that.
  VkSubpassDependency dependency{};
  dependency.srcSubpass = VK_SUBPASS_EXTERNAL;
  dependency.dstSubpass = 0;
  dependency.srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  dependency.dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dependency.srcAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  dependency.dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  VkRenderPassCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO;
  info.attachmentCount = 1;
  info.pAttachments = &color;
  info.subpassCount = 1;
  info.pSubpasses = &subpass;
  info.dependencyCount = 1;
  info.pDependencies = &dependency;
  VkRenderPass render_pass = VK_NULL_HANDLE;
  VK_CHECK(vkCreateRenderPass(device, &info, nullptr, &render_pass));
  return render_pass;
}

OffscreenTarget::OffscreenTarget(const Context& context, int width, int height)
    : context_(context),
      image_(context, static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height),
             VK_FORMAT_R8G8B8A8_UNORM,
             VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT),
      readback_(context, static_cast<VkDeviceSize>(width) * height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                true) {
  render_pass_ = make_color_render_pass(context.device(), image_.format(),
                                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  VkImageView view = image_.view();
  VkFramebufferCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO;
  info.renderPass = render_pass_;
  info.attachmentCount = 1;
  info.pAttachments = &view;
  info.width = image_.width();
  info.height = image_.height();
  info.layers = 1;
  VK_CHECK(vkCreateFramebuffer(context.device(), &info, nullptr, &framebuffer_));
}

OffscreenTarget::~OffscreenTarget() {
  vkDestroyFramebuffer(context_.device(), framebuffer_, nullptr);
  vkDestroyRenderPass(context_.device(), render_pass_, nullptr);
}

void OffscreenTarget::record(VkCommandBuffer commands, const std::function<void(VkCommandBuffer)>& draw,
                             std::array<float, 4> clear) const {
  VkClearValue clear_value{};
  for (int i = 0; i < 4; ++i) clear_value.color.float32[i] = clear[static_cast<size_t>(i)];
  VkRenderPassBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
  begin.renderPass = render_pass_;
  begin.framebuffer = framebuffer_;
  begin.renderArea = {{0, 0}, extent()};
  begin.clearValueCount = 1;
  begin.pClearValues = &clear_value;
  vkCmdBeginRenderPass(commands, &begin, VK_SUBPASS_CONTENTS_INLINE);
  draw(commands);
  vkCmdEndRenderPass(commands);
  // The render pass leaves the image in TRANSFER_SRC; its store must land before the copy reads.
  transition(commands, image_.handle(),
             {VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
              VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL},
             {VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT,
              VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL});
  VkBufferImageCopy region{};
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageExtent = {image_.width(), image_.height(), 1};
  vkCmdCopyImageToBuffer(commands, image_.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                         readback_.handle(), 1, &region);
  VkBufferMemoryBarrier to_host{};
  to_host.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER;
  to_host.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  to_host.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  to_host.srcQueueFamilyIndex = to_host.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  to_host.buffer = readback_.handle();
  to_host.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0,
                       nullptr, 1, &to_host, 0, nullptr);
}

Image OffscreenTarget::read_back() const {
  Image image(static_cast<int>(image_.width()), static_cast<int>(image_.height()));
  const std::uint8_t* source = readback_.mapped();
  const size_t texels = static_cast<size_t>(image.width) * image.height;
  for (size_t i = 0; i < texels; ++i) {
    image.pixels[i * 3 + 0] = source[i * 4 + 0];
    image.pixels[i * 3 + 1] = source[i * 4 + 1];
    image.pixels[i * 3 + 2] = source[i * 4 + 2];
  }
  return image;
}

Image OffscreenTarget::render(const std::function<void(VkCommandBuffer)>& draw,
                              std::array<float, 4> clear) const {
  context_.submit_and_wait([&](VkCommandBuffer commands) { record(commands, draw, clear); });
  return read_back();
}

}  // namespace dw::render
