#include "datasets/import_layout.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "nav/base/user_error.h"

namespace dw::data {

namespace {
constexpr double kNegligible = 1e-9;
}

float derived_scale(std::vector<double> values) {
  if (values.empty()) return 1.0f;
  for (double& value : values) value = std::fabs(value);
  std::sort(values.begin(), values.end());
  const size_t index = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(values.size()))) - 1;
  double scale = values[std::min(index, values.size() - 1)];
  if (scale <= kNegligible) scale = values.back();
  if (scale <= kNegligible) scale = 1.0;
  return static_cast<float>(scale);
}

std::vector<float> scale_action(const std::vector<double>& raw, const std::vector<float>& scales) {
  std::vector<float> action(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    action[i] = static_cast<float>(std::clamp(raw[i] / scales[i], -1.0, 1.0));
  }
  return action;
}

namespace {
// Cuts frames [first, first + length) into pieces, appending the ones long enough.
void cut_run(int recording, int first, int length, int episode_length, int min_length,
             std::vector<EpisodeSpan>& spans, DropCounts& dropped) {
  const int piece = episode_length > 0 ? episode_length : length;
  for (int start = first; start < first + length; start += piece) {
    const int count = std::min(piece, first + length - start);
    if (count < min_length) {
      dropped["in a piece shorter than --min-length"] += count;
    } else {
      spans.push_back({recording, start, count});
    }
  }
}
}  // namespace

std::vector<EpisodeSpan> chop_episodes(const Alignment& alignment, int recording,
                                       int episode_length, int min_length,
                                       const std::string& uncovered_reason, DropCounts& dropped) {
  std::vector<EpisodeSpan> spans;
  const int transitions = alignment.transitions();
  int frame = 0;
  while (frame < transitions + 1) {
    // A run starts at a frame whose outgoing transition is valid and ends where validity stops.
    if (frame == transitions || !alignment.valid[static_cast<size_t>(frame)]) {
      dropped[uncovered_reason] += 1;
      ++frame;
      continue;
    }
    int end = frame;
    while (end < transitions && alignment.valid[static_cast<size_t>(end)]) ++end;
    cut_run(recording, frame, end - frame + 1, episode_length, min_length, spans, dropped);
    frame = end + 1;
  }
  return spans;
}

std::vector<std::string> assign_splits(int units, const std::vector<double>& ratios,
                                       std::uint64_t seed) {
  if (ratios.size() != 3 || std::any_of(ratios.begin(), ratios.end(),
                                         [](double r) { return !(r >= 0); })) {
    throw UserError("--split needs three non-negative ratios train,val,test (e.g. 0.8,0.1,0.1)");
  }
  const double total = ratios[0] + ratios[1] + ratios[2];
  if (total <= 0) throw UserError("--split: the ratios add up to 0");
  const int n = units;
  int test = static_cast<int>(std::lround(n * ratios[2] / total));
  int val = static_cast<int>(std::lround(n * ratios[1] / total));
  const int keep_train = ratios[0] > 0 && n > 0 ? 1 : 0;
  while (test + val > n - keep_train) (val > test ? val : test) -= 1;

  // Our own Fisher-Yates over mt19937_64 (std::shuffle's algorithm is not fixed by the standard)
  // keeps the split identical across standard libraries for the same seed.
  std::vector<int> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 random(seed);
  for (int i = n - 1; i > 0; --i) {
    const int j = static_cast<int>(random() % static_cast<std::uint64_t>(i + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  std::vector<std::string> names(static_cast<size_t>(n), "train");
  for (int k = 0; k < n; ++k) {
    const size_t unit = static_cast<size_t>(order[static_cast<size_t>(k)]);
    if (k < test) names[unit] = "test";
    else if (k < test + val) names[unit] = "val";
  }
  return names;
}

}  // namespace dw::data
