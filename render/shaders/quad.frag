#version 450
// Samples the frame texture; the sampler (nearest or bilinear) is chosen by the descriptor set.
layout(set = 0, binding = 0) uniform sampler2D frame;

layout(location = 0) in vec2 uv;
layout(location = 0) out vec4 color;

void main() {
  color = vec4(texture(frame, uv).rgb, 1.0);
}
