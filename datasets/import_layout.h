// The dataset-shaping steps of `dreamwalk import` that do not look at pixels: per-column action
// scales, chopping aligned recordings into episodes, and assigning episodes to splits.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/import_align.h"

namespace dw::data {

// The physical value that maps to an action of 1 when none is given: the 95th percentile of
// |value| (robust to a few spikes; the rarer, larger values are clipped to +-1), falling back to
// the largest |value| when that is ~0 (mostly idle columns), and to 1 for an all-zero column.
float derived_scale(std::vector<double> values);

// Divides by the scales and clips to [-1, 1].
std::vector<float> scale_action(const std::vector<double>& raw, const std::vector<float>& scales);

// A run of consecutive kept frames of one recording that becomes one episode.
struct EpisodeSpan {
  int recording = 0;
  int first = 0;  // position in Alignment::frames
  int count = 0;  // frames (count - 1 transitions)
};

// Frames dropped, by reason (for the summary).
using DropCounts = std::map<std::string, long>;

// Splits the runs of valid transitions into episodes of at most `episode_length` frames
// (0 = no limit) that share no frames, dropping pieces under `min_length` frames. Adds the
// frames it leaves out to `dropped`; `uncovered_reason` names why a transition is invalid.
std::vector<EpisodeSpan> chop_episodes(const Alignment& alignment, int recording,
                                       int episode_length, int min_length,
                                       const std::string& uncovered_reason, DropCounts& dropped);

// Assigns `units` items to train/val/test by `ratios` (3 non-negative numbers, normalised):
// test and val get round(n * ratio) each (train keeps at least one item when its ratio is
// positive), chosen by a seeded shuffle. Returns the split name of each unit.
std::vector<std::string> assign_splits(int units, const std::vector<double>& ratios,
                                       std::uint64_t seed);

}  // namespace dw::data
