// A small line-chart renderer for metric-vs-horizon plots (eval --plot, training previews).
// Draws into a dw::Image with our own rasteriser and stb_easy_font text: no plotting dependency.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "nav/image.h"

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
};

// Panels side by side, each with axes, ticks, a legend and the series; x is the horizon step.
Image plot_panels(const std::vector<PlotPanel>& panels, const std::string& x_label,
                  int panel_width = 420, int panel_height = 320);

}  // namespace dw::model
