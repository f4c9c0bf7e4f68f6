#include "render/quad.h"

#include <algorithm>
#include <cstdint>

#include "render/vk_check.h"

namespace dw::render {
namespace {

// SPIR-V compiled by glslc at build time (render/CMakeLists.txt); never committed.
const std::uint32_t kQuadVertex[] = {
#include "quad.vert.inc"
};
const std::uint32_t kQuadFragment[] = {
#include "quad.frag.inc"
};

VkShaderModule make_shader(VkDevice device, const std::uint32_t* code, size_t bytes) {
  VkShaderModuleCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
  info.codeSize = bytes;
  info.pCode = code;
  VkShaderModule module = VK_NULL_HANDLE;
  VK_CHECK(vkCreateShaderModule(device, &info, nullptr, &module));
  return module;
}

VkPipeline make_pipeline(VkDevice device, VkPipelineLayout layout, VkRenderPass render_pass,
                         VkShaderModule vertex, VkShaderModule fragment) {
  VkPipelineShaderStageCreateInfo stages[2] = {};
  stages[0] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0,
               VK_SHADER_STAGE_VERTEX_BIT, vertex, "main", nullptr};
  stages[1] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0,
               VK_SHADER_STAGE_FRAGMENT_BIT, fragment, "main", nullptr};
  VkPipelineVertexInputStateCreateInfo vertex_input{};
  vertex_input.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO;
  VkPipelineInputAssemblyStateCreateInfo assembly{};
  assembly.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO;
  assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP;
  VkPipelineViewportStateCreateInfo viewport{};
  viewport.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO;
  viewport.viewportCount = 1;
  viewport.scissorCount = 1;
  VkPipelineRasterizationStateCreateInfo raster{};
  raster.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO;
  raster.polygonMode = VK_POLYGON_MODE_FILL;
  raster.cullMode = VK_CULL_MODE_NONE;
  raster.lineWidth = 1.0f;
  VkPipelineMultisampleStateCreateInfo multisample{};
  multisample.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO;
  multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
  VkPipelineColorBlendAttachmentState blend_attachment{};
  blend_attachment.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT |
                                    VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT;
  VkPipelineColorBlendStateCreateInfo blend{};
  blend.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO;
  blend.attachmentCount = 1;
  blend.pAttachments = &blend_attachment;
  const VkDynamicState dynamic_states[2] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
  VkPipelineDynamicStateCreateInfo dynamic{};
  dynamic.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO;
  dynamic.dynamicStateCount = 2;
  dynamic.pDynamicStates = dynamic_states;

  VkGraphicsPipelineCreateInfo info{};

  info.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO;
  info.stageCount = 2;
  info.pStages = stages;
  info.pVertexInputState = &vertex_input;
  info.pInputAssemblyState = &assembly;
  info.pViewportState = &viewport;
  info.pRasterizationState = &raster;
  info.pMultisampleState = &multisample;
  info.pColorBlendState = &blend;
  info.pDynamicState = &dynamic;
  info.layout = layout;
  info.renderPass = render_pass;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VK_CHECK(vkCreateGraphicsPipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline));
  return pipeline;
}

}  // namespace

Rect letterbox(int image_width, int image_height, const Rect& area) {
  if (image_width <= 0 || image_height <= 0 || area.width <= 0.0f || area.height <= 0.0f) {
    return {area.x, area.y, 0.0f, 0.0f};
  }
  const float scale = std::min(area.width / static_cast<float>(image_width),
                               area.height / static_cast<float>(image_height));
  const float width = scale * static_cast<float>(image_width);
  const float height = scale * static_cast<float>(image_height);
  return {area.x + 0.5f * (area.width - width), area.y + 0.5f * (area.height - height), width, height};
}

QuadPipeline::QuadPipeline(const Context& context, VkRenderPass render_pass)
    : device_(context.device()) {
  VkPushConstantRange push{VK_SHADER_STAGE_VERTEX_BIT, 0, 4 * sizeof(float)};
  VkDescriptorSetLayout set_layout = context.texture_set_layout();
  VkPipelineLayoutCreateInfo layout{};
  layout.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
  layout.setLayoutCount = 1;
  layout.pSetLayouts = &set_layout;
  layout.pushConstantRangeCount = 1;
  layout.pPushConstantRanges = &push;
  VK_CHECK(vkCreatePipelineLayout(device_, &layout, nullptr, &layout_));
  VkShaderModule vertex = make_shader(device_, kQuadVertex, sizeof(kQuadVertex));
  VkShaderModule fragment = make_shader(device_, kQuadFragment, sizeof(kQuadFragment));
  try {
    pipeline_ = make_pipeline(device_, layout_, render_pass, vertex, fragment);
  } catch (...) {
    vkDestroyShaderModule(device_, vertex, nullptr);
    vkDestroyShaderModule(device_, fragment, nullptr);
    vkDestroyPipelineLayout(device_, layout_, nullptr);
    throw;
  }
  vkDestroyShaderModule(device_, vertex, nullptr);  // the pipeline keeps what it needs
  vkDestroyShaderModule(device_, fragment, nullptr);
}

QuadPipeline::~QuadPipeline() {
  vkDestroyPipeline(device_, pipeline_, nullptr);
  vkDestroyPipelineLayout(device_, layout_, nullptr);
}

void QuadPipeline::draw(VkCommandBuffer commands, const Texture& texture, Filter filter,
                        const Rect& rect, VkExtent2D target, const Rect& clip) const {
  if (rect.width <= 0.0f || rect.height <= 0.0f || target.width == 0 || target.height == 0) return;
  const float target_width = static_cast<float>(target.width);
  const float target_height = static_cast<float>(target.height);
  const float ndc[4] = {2.0f * rect.x / target_width - 1.0f, 2.0f * rect.y / target_height - 1.0f,
                        2.0f * (rect.x + rect.width) / target_width - 1.0f,
                        2.0f * (rect.y + rect.height) / target_height - 1.0f};
  const VkViewport viewport{0.0f, 0.0f, target_width, target_height, 0.0f, 1.0f};
  const Rect area = clip.width > 0.0f && clip.height > 0.0f ? clip : Rect{0, 0, target_width, target_height};
  const float x0 = std::clamp(area.x, 0.0f, target_width);
  const float y0 = std::clamp(area.y, 0.0f, target_height);
  const float x1 = std::clamp(area.x + area.width, x0, target_width);
  const float y1 = std::clamp(area.y + area.height, y0, target_height);
  const VkRect2D scissor{{static_cast<std::int32_t>(x0), static_cast<std::int32_t>(y0)},
                         {static_cast<std::uint32_t>(x1 - x0), static_cast<std::uint32_t>(y1 - y0)}};
  if (scissor.extent.width == 0 || scissor.extent.height == 0) return;
  const VkDescriptorSet set = texture.descriptor(filter);
  vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline_);
  vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_, 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(commands, layout_, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(ndc), ndc);
  vkCmdSetViewport(commands, 0, 1, &viewport);
  vkCmdSetScissor(commands, 0, 1, &scissor);
  vkCmdDraw(commands, 4, 1, 0, 0);
}

}  // namespace dw::render
