#include "render/texture.h"

#include <cassert>
#include <string>

#include "render/vk_check.h"

namespace dw::render {

StagingRing::StagingRing(const Context& context, VkDeviceSize bytes_per_frame, int frames)
    : buffer_(context, bytes_per_frame * static_cast<VkDeviceSize>(frames),
              VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true),
      segment_(bytes_per_frame),
      frames_(frames) {}

void StagingRing::begin_frame(int slot) {
  assert(slot >= 0 && slot < frames_);
  slot_ = slot;
  used_ = 0;
}

StagingRing::Slice StagingRing::allocate(VkDeviceSize bytes) {
  const VkDeviceSize aligned = (used_ + 15) & ~VkDeviceSize{15};  // copies want 4-byte offsets
  if (aligned + bytes > segment_) {
    throw VulkanError("staging ring segment of " + std::to_string(segment_) + " bytes is full (" +
                      std::to_string(bytes) + " more requested)");
  }
  used_ = aligned + bytes;
  const VkDeviceSize offset = static_cast<VkDeviceSize>(slot_) * segment_ + aligned;
  return {buffer_.handle(), offset, buffer_.mapped() + offset};
}

Texture::Texture(const Context& context, int width, int height)
    : context_(context),
      image_(context, static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height),
             VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT) {
  VkDescriptorSetLayout layouts[2] = {context.texture_set_layout(), context.texture_set_layout()};
  VkDescriptorSetAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  allocate.descriptorPool = context.descriptor_pool();
  allocate.descriptorSetCount = 2;
  allocate.pSetLayouts = layouts;
  VkDescriptorSet sets[2];
  VK_CHECK(vkAllocateDescriptorSets(context.device(), &allocate, sets));
  nearest_set_ = sets[0];
  bilinear_set_ = sets[1];
  VkDescriptorImageInfo images[2] = {
      {context.sampler(Filter::nearest), image_.view(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL},
      {context.sampler(Filter::bilinear), image_.view(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL}};
  VkWriteDescriptorSet writes[2] = {};
  for (int i = 0; i < 2; ++i) {
    writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[i].dstSet = sets[i];
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    writes[i].pImageInfo = &images[i];
  }
  vkUpdateDescriptorSets(context.device(), 2, writes, 0, nullptr);
}

Texture::~Texture() {
  VkDescriptorSet sets[2] = {nearest_set_, bilinear_set_};
  vkFreeDescriptorSets(context_.device(), context_.descriptor_pool(), 2, sets);
}

void Texture::upload(VkCommandBuffer commands, StagingRing& ring, const Image& image) {
  assert(image.width == width() && image.height == height());
  const size_t texels = static_cast<size_t>(image.width) * image.height;
  StagingRing::Slice slice = ring.allocate(texels * 4);
  const std::uint8_t* source = image.pixels.data();
  for (size_t i = 0; i < texels; ++i) {  // RGB8 is rarely sampleable; expand to RGBA8
    slice.data[i * 4 + 0] = source[i * 3 + 0];
    slice.data[i * 4 + 1] = source[i * 3 + 1];
    slice.data[i * 4 + 2] = source[i * 3 + 2];
    slice.data[i * 4 + 3] = 255;
  }
  // UNDEFINED: the whole texture is overwritten, so its old contents may be discarded.
  transition(commands, image_.handle(),
             {VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, 0, VK_IMAGE_LAYOUT_UNDEFINED},
             {VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
              VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL});
  VkBufferImageCopy region{};
  region.bufferOffset = slice.offset;
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageExtent = {image_.width(), image_.height(), 1};
  vkCmdCopyBufferToImage(commands, slice.buffer, image_.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                         1, &region);
  transition(commands, image_.handle(),
             {VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
              VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL},
             {VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT,
              VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL});
  has_contents_ = true;
}

void ensure_texture_size(const Context& context, std::unique_ptr<Texture>& texture, const Image& image) {
  if (texture && texture->width() == image.width && texture->height() == image.height) return;
  if (texture) context.wait_idle();  // frames in flight may still sample the old one
  texture = std::make_unique<Texture>(context, image.width, image.height);
}

}  // namespace dw::render
