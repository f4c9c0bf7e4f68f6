// Streaming frames to the GPU: a staging ring (one mapped buffer, one segment per frame in flight,
// so writing frame N never waits for frame N-1's copy) and RGBA8 textures sampled by the quad.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "nav/base/image.h"
#include "render/context.h"
#include "render/memory.h"

namespace dw::render {

class StagingRing {
 public:
  // `frames` segments of `bytes_per_frame` each. A segment is reused only after the caller has
  // waited on the fence of the frame that last used it (begin_frame), so no copy ever stalls.
  StagingRing(const Context& context, VkDeviceSize bytes_per_frame, int frames);

  // Starts writing into segment `slot` (frames in flight index); its previous data is dead.
  void begin_frame(int slot);

  struct Slice {
    VkBuffer buffer;
    VkDeviceSize offset;
    std::uint8_t* data;
  };
  // Space in the current segment; throws VulkanError when the segment is full (a sizing bug).
  Slice allocate(VkDeviceSize bytes);
  VkDeviceSize bytes_per_frame() const { return segment_; }

 private:
  Buffer buffer_;
  VkDeviceSize segment_;
  int frames_;
  int slot_ = 0;
  VkDeviceSize used_ = 0;
};

class Texture {
 public:
  Texture(const Context& context, int width, int height);
  ~Texture();
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;

  int width() const { return static_cast<int>(image_.width()); }
  int height() const { return static_cast<int>(image_.height()); }
  // Records the copy of `image` (RGB8, this texture's size) through `ring` with the barriers
  // around it; the texture ends ready for fragment-shader reads. Earlier draws that sample it are
  // ordered before the copy by the barrier, so one texture is enough with frames in flight.
  void upload(VkCommandBuffer commands, StagingRing& ring, const Image& image);
  // False until the first upload: drawing it before then would sample undefined contents.
  bool has_contents() const { return has_contents_; }
  VkDescriptorSet descriptor(Filter filter) const {
    return filter == Filter::nearest ? nearest_set_ : bilinear_set_;
  }

 private:
  const Context& context_;
  GpuImage image_;
  VkDescriptorSet nearest_set_ = VK_NULL_HANDLE;
  VkDescriptorSet bilinear_set_ = VK_NULL_HANDLE;
  bool has_contents_ = false;
};

// Keeps a texture matching the image size: recreates it (after the GPU is idle) when it changes.
void ensure_texture_size(const Context& context, std::unique_ptr<Texture>& texture, const Image& image);

}  // namespace dw::render
