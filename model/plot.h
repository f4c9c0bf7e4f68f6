// A small line-chart renderer for metric-vs-horizon plots (eval --plot, training previews).
// Draws into a dw::Image with our own rasteriser and stb_easy_font text: no plotting dependency.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "nav/base/image.h"

namespace dw::model {

struct PlotSeries {
  std::string name;
  std::array<std::uint8_t, 3> colour{0, 0, 0};
  std::vector<double> values;  // y for x = 1, 2, ..., values.size()
  bool is_dashed = false;
};

struct PlotPanel {
  std::string title;
  std::string y_label;
  std::vector<PlotSeries> series;
  std::optional<double> threshold;  // a labelled horizontal line (eval: the failure PSNR)
  std::string threshold_label;
};

// Panels side by side, each with axes, ticks, a legend and the series; x is the horizon step.
Image plot_panels(const std::vector<PlotPanel>& panels, const std::string& x_label,
                  int panel_width = 420, int panel_height = 320);

// Evenly spaced y ticks at round values (1, 2, 2.5 or 5 times a power of ten) covering [low, high].
std::vector<double> axis_ticks(double low, double high);
// x ticks for steps 1..count: 1, round multiples, and always count itself (the horizon).
std::vector<int> step_ticks(int count);

// Text in stb_easy_font's small bitmap face (about 6 px per character at scale 1), and its width.
void draw_label(Image& image, int x, int y, const std::string& text, const std::array<std::uint8_t, 3>& colour,
                int scale = 1);
int label_width(const std::string& text, int scale = 1);

}  // namespace dw::model
