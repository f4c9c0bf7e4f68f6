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
constexpr Colour kThreshold{150, 60, 150};

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

// As many decimals as the tick spacing needs, so ticks read 0.25, 0.50 or 18, 20.
std::string format_tick(double value, double spacing) {
  int decimals = 0;
  while (decimals < 3 && std::fabs(spacing * std::pow(10.0, decimals) - std::round(spacing * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

struct Range {
  double low = std::numeric_limits<double>::max();
  double high = std::numeric_limits<double>::lowest();
  size_t count = 1;
  std::vector<double> ticks;
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
  if (panel.threshold) {
    range.low = std::min(range.low, *panel.threshold);
    range.high = std::max(range.high, *panel.threshold);
  }
  if (range.low > range.high) range.low = 0, range.high = 1;
  range.ticks = axis_ticks(range.low, range.high);
  range.low = range.ticks.front();
  range.high = range.ticks.back();
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
  const double spacing = range.ticks.size() > 1 ? range.ticks[1] - range.ticks[0] : 1.0;
  for (const double value : range.ticks) {
    const int y = static_cast<int>(to_y(value));
    const std::string text = format_tick(value, spacing);
    draw_line(image, left, y, right, y, kGrid, 1);
    draw_text(image, left - 6 - text_width(text), y - 3, text, kInk);
  }
  for (const int step : step_ticks(static_cast<int>(range.count))) {
    const int x = static_cast<int>(to_x(static_cast<double>(step)));
    draw_line(image, x, bottom, x, bottom + 4, kInk, 1);
    draw_text(image, x - text_width(std::to_string(step)) / 2, bottom + 8, std::to_string(step), kInk);
  }
  if (panel.threshold) {
    const int y = static_cast<int>(to_y(*panel.threshold));
    draw_line(image, left, y, right, y, kThreshold, 1, 4);
    draw_text(image, left + 4, y - 10, panel.threshold_label, kThreshold);
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

// A round spacing (1, 2, 2.5 or 5 times a power of ten) giving about `wanted` intervals.
double round_spacing(double span, int wanted) {
  const double raw = span / wanted;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (factor * power >= raw) return factor * power;
  }
  return 10.0 * power;
}

}  // namespace

std::vector<double> axis_ticks(double low, double high) {
  if (!(high > low)) {
    const double pad = std::max(1e-3, std::fabs(low) * 0.05);
    low -= pad;
    high += pad;
  }
  const double spacing = round_spacing(high - low, 4);
  const double first = std::floor(low / spacing + 1e-9) * spacing;
  std::vector<double> ticks;
  for (int i = 0; ticks.empty() || ticks.back() < high - 1e-9 * spacing; ++i) {
    const double value = first + i * spacing;
    ticks.push_back(std::fabs(value) < 1e-12 ? 0.0 : value);
  }
  return ticks;
}

std::vector<int> step_ticks(int count) {
  std::vector<int> ticks{1};
  if (count <= 1) return ticks;
  const int spacing = std::max(1, static_cast<int>(round_spacing(count, 8)));
  for (int step = spacing; step < count; step += spacing) {
    if (step > 1 && count - step >= spacing / 2) ticks.push_back(step);  // not crowding the horizon
  }
  ticks.push_back(count);
  return ticks;
}

void draw_label(Image& image, int x, int y, const std::string& text, const std::array<std::uint8_t, 3>& colour,
                int scale) {
  draw_text(image, x, y, text, colour, scale);
}

int label_width(const std::string& text, int scale) { return text_width(text, scale); }

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
