// Lines up a recording's frames with its actions CSV, poses CSV or nothing: which frames are kept
// (after --fps), the raw action of each transition in the CSV's own units, and per-frame poses.
// Odometry becomes actions here: the relative motion between frames in the agent's own frame.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "datasets/csv.h"
#include "datasets/import_frames.h"
#include "nav/pose.h"

namespace dw::data {

struct Alignment {
  std::vector<int> frames;                   // kept frames: indices into Recording::frames
  std::vector<std::vector<double>> actions;  // per transition, raw units; empty when not valid
  std::vector<char> valid;                   // per transition: the CSV covers it
  std::vector<nav::Pose> poses;              // per kept frame (poses CSV only), else empty
  int resampled_away = 0;                    // frames --fps left out
  int transitions() const { return static_cast<int>(frames.size()) - 1; }
};

// One chosen actions column: its CSV header name and its name in the dataset.
struct ActionColumn {
  std::string csv_name;
  std::string name;
};

// Parses --action-columns entries ("a" or "a=new_name"); with none, every column but
// frame/time. Throws UserError for an unknown column (listing the available ones), a repeated
// name, or more than 8 columns.
std::vector<ActionColumn> choose_action_columns(const std::vector<std::string>& specs,
                                                const CsvTable& table);

// Frames kept by --fps (0 = all). Throws UserError when the recording has no timestamps.
Alignment select_frames(const Recording& recording, double fps);

// No CSV: every transition is valid with an empty action (dimension 0).
void align_nothing(Alignment& alignment);

// Actions CSV: aligned by its 'frame' column (source frame index), else its 'time' column
// (seconds), else row r is the transition from kept frame r to r + 1. A transition takes the
// mean of the rows that fall in [its start, next frame), or holds the last earlier row.
void align_actions(Alignment& alignment, const Recording& recording, const CsvTable& table,
                   const std::vector<ActionColumn>& columns);

// Poses CSV (x, y, yaw and optionally 'frame' or 'time'; without either, one row per kept
// frame): poses are interpolated at each frame, frames outside the CSV's range are not covered.
void align_poses(Alignment& alignment, const Recording& recording, const CsvTable& table);

// A pose in double precision: odometry often comes in large map coordinates (UTM metres) where
// float would lose centimetres. `yaw` is unwrapped (continuous across +-pi).
struct PoseSample {
  double x = 0, y = 0, yaw = 0;
};

// Relative motion from `from` to `to` as {forward, strafe (right positive), turn (left
// positive)}, measured in the frame halfway through the turn so a steady arc has no strafe.
std::array<double, 3> odometry_step(const PoseSample& from, const PoseSample& to);

}  // namespace dw::data
