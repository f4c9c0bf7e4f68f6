#version 450
// A textured quad without vertex buffers: four corners from gl_VertexIndex (triangle strip),
// placed by a push-constant rectangle in normalized device coordinates.
layout(push_constant) uniform Placement {
  vec4 rect;  // x0, y0, x1, y1 in NDC
} placement;

layout(location = 0) out vec2 uv;

void main() {
  vec2 corner = vec2(float(gl_VertexIndex & 1), float(gl_VertexIndex >> 1));
  uv = corner;
  gl_Position = vec4(mix(placement.rect.xy, placement.rect.zw, corner), 0.0, 1.0);
}
