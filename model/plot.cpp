#include "model/plot.h"

// stb_easy_font is a header of static functions; we use only some of them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dw::model {

namespace {

using Colour = std::array<std::uint8_t, 3>;
constexpr Colour kInk{40, 40, 40};
constexpr Colour kGrid{225, 225, 225};

void put_pixel(Image& image, int x, int y, const Colour& colour) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  std::copy(colour.begin(), colour.end(), image.at(x, y));
}

void fill_rect(Image& image, int x0, int y0, int x1, int y1, const Colour& colour) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) put_pixel(image, x, y, colour);
}

// A thick line by stamping small squares along it; `dash` > 0 skips every other dash segment.
void draw_line(Image& image, double x0, double y0, double x1, double y1, const Colour& colour,
               int thickness, int dash = 0) {
  const double length = std::hypot(x1 - x0, y1 - y0);
  const int steps = std::max(1, static_cast<int>(length * 2));
  for (int i = 0; i <= steps; ++i) {
    if (dash > 0 && (static_cast<int>(i * length / steps) / dash) % 2 == 1) continue;
    const double t = static_cast<double>(i) / steps;
    const int x = static_cast<int>(std::lround(x0 + (x1 - x0) * t));
    const int y = static_cast<int>(std::lround(y0 + (y1 - y0) * t));
    fill_rect(image, x - thickness / 2, y - thickness / 2, x - thickness / 2 + thickness,
              y - thickness / 2 + thickness, colour);
  }
}

// stb_easy_font emits quads (4 vertices of 16 bytes: x, y, z floats + colour); we fill each quad's
// bounding box, scaled by an integer factor so labels stay readable.
void draw_text(Image& image, int x, int y, const std::string& text, const Colour& colour,
               int scale = 1) {
  static char buffer[60000];
  std::vector<char> mutable_text(text.begin(), text.end());
  mutable_text.push_back('\0');
  const int quads = stb_easy_font_print(0, 0, mutable_text.data(), nullptr, buffer, sizeof buffer);
  for (int q = 0; q < quads; ++q) {
    const float* v = reinterpret_cast<const float*>(buffer + q * 64);
    const float qx0 = v[0], qy0 = v[1], qx1 = v[8], qy1 = v[9];
    fill_rect(image, x + static_cast<int>(qx0 * scale), y + static_cast<int>(qy0 * scale),
              x + static_cast<int>(qx1 * scale), y + static_cast<int>(qy1 * scale), colour);
  }
}

int text_width(const std::string& text, int scale = 1) {
  std::vector<char> mutable_text(text.begin(), text.end());
  mutable_text.push_back('\0');
  return stb_easy_font_width(mutable_text.data()) * scale;
}

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, std::fabs(value) >= 10 ? "%.0f" : "%.2f", value);
  return text;
}

struct Range {
  double low = std::numeric_limits<double>::max();
  double high = std::numeric_limits<double>::lowest();
  size_t count = 1;
};

Range data_range(const PlotPanel& panel) {
  Range range;
  for (const auto& series : panel.series) {
    range.count = std::max(range.count, series.values.size());
    for (double v : series.values) {
      if (!std::isfinite(v)) continue;
      range.low = std::min(range.low, v);
      range.high = std::max(range.high, v);
    }
  }
  if (range.low > range.high) range.low = 0, range.high = 1;
  const double pad = std::max(1e-6, (range.high - range.low) * 0.08);
  range.low -= pad;
  range.high += pad;
  return range;
}

void draw_panel(Image& image, int origin_x, const PlotPanel& panel, const std::string& x_label,
                int width, int height) {
  const int left = origin_x + 56, right = origin_x + width - 14, top = 34, bottom = height - 44;
  const Range range = data_range(panel);
  auto to_x = [&](double step) {
    return left + (range.count <= 1 ? 0.0 : (step - 1) * (right - left) / (range.count - 1.0));
  };
  auto to_y = [&](double v) { return bottom - (v - range.low) * (bottom - top) / (range.high - range.low); };
  for (int tick = 0; tick <= 4; ++tick) {
    const double value = range.low + (range.high - range.low) * tick / 4.0;
    const int y = static_cast<int>(to_y(value));
    draw_line(image, left, y, right, y, kGrid, 1);
    draw_text(image, left - 6 - text_width(format_number(value)), y - 3, format_number(value), kInk);
  }
  const size_t x_step = std::max<size_t>(1, range.count / 8);
  for (size_t step = 1; step <= range.count; step += x_step) {
    const int x = static_cast<int>(to_x(static_cast<double>(step)));
    draw_line(image, x, bottom, x, bottom + 4, kInk, 1);
    draw_text(image, x - text_width(std::to_string(step)) / 2, bottom + 8, std::to_string(step), kInk);
  }
  draw_line(image, left, top, left, bottom, kInk, 1);
  draw_line(image, left, bottom, right, bottom, kInk, 1);
  draw_text(image, origin_x + (width - text_width(panel.title, 2)) / 2, 8, panel.title, kInk, 2);
  draw_text(image, (left + right - text_width(x_label)) / 2, height - 18, x_label, kInk);
  draw_text(image, origin_x + 4, top - 14, panel.y_label, kInk);
  for (size_t s = 0; s < panel.series.size(); ++s) {
    const PlotSeries& series = panel.series[s];
    for (size_t i = 0; i + 1 < series.values.size(); ++i) {
      draw_line(image, to_x(i + 1.0), to_y(series.values[i]), to_x(i + 2.0), to_y(series.values[i + 1]),
                series.colour, 2, series.is_dashed ? 6 : 0);
    }
    const int legend_y = top + 6 + static_cast<int>(s) * 14;
    draw_line(image, right - 110, legend_y + 3, right - 90, legend_y + 3, series.colour, 2,
              series.is_dashed ? 4 : 0);
    draw_text(image, right - 84, legend_y, series.name, kInk);
  }
}

}  // namespace

Image plot_panels(const std::vector<PlotPanel>& panels, const std::string& x_label,
                  int panel_width, int panel_height) {
  Image image(panel_width * std::max<int>(1, static_cast<int>(panels.size())), panel_height);
  std::fill(image.pixels.begin(), image.pixels.end(), std::uint8_t{255});
  for (size_t i = 0; i < panels.size(); ++i) {
    draw_panel(image, static_cast<int>(i) * panel_width, panels[i], x_label, panel_width, panel_height);
  }
  return image;
}

}  // namespace dw::model
