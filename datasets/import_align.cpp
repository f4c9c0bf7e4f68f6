#include "datasets/import_align.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "nav/base/user_error.h"

namespace dw::data {

namespace {

constexpr double kKeyTolerance = 1e-6;  // CSV times are decimal text; frame times are rational
constexpr double kPi = 3.14159265358979323846;

enum class KeyKind { Row, Frame, Time };

KeyKind key_kind(const CsvTable& table) {
  if (table.has_column("frame")) return KeyKind::Frame;
  if (table.has_column("time")) return KeyKind::Time;
  return KeyKind::Row;
}

// Keys of the CSV rows, strictly increasing (else a UserError naming the line).
std::vector<double> row_keys(const CsvTable& table, KeyKind kind) {
  std::vector<double> keys;
  if (kind == KeyKind::Row) {
    for (size_t r = 0; r < table.rows.size(); ++r) keys.push_back(static_cast<double>(r));
    return keys;
  }
  const std::string column = kind == KeyKind::Frame ? "frame" : "time";
  keys = table.numbers(column);
  for (size_t r = 1; r < keys.size(); ++r) {
    if (keys[r] <= keys[r - 1]) {
      throw UserError(table.where(r) + ": " + column + " goes backwards or repeats (" +
                      table.rows[r][table.column_index(column)] + " after " +
                      table.rows[r - 1][table.column_index(column)] + ")");
    }
  }
  return keys;
}

// Keys of the kept frames, in the same units as the rows' keys.
std::vector<double> frame_keys(const Alignment& alignment, const Recording& recording,
                               const CsvTable& table, KeyKind kind, size_t rows_per_frame_offset) {
  std::vector<double> keys;
  const auto& frames = alignment.frames;
  if (kind == KeyKind::Row) {
    const size_t needed = frames.size() - rows_per_frame_offset;
    if (table.rows.size() != needed) {
      const std::string per = rows_per_frame_offset ? "transition, i.e. " : "frame, i.e. ";
      // Only frames with timestamps can be resampled: a frames folder gets them from --frames-fps.
      const std::string resample = recording.times.empty()
                                       ? "give the folder's frame rate with --frames-fps and resample with --fps"
                                       : "use --fps to resample the frames to the CSV's rate";
      throw UserError(
          table.path.string() + " has " + std::to_string(table.rows.size()) + " rows but " +
          recording.source + " gives " + std::to_string(frames.size()) + " frames" +
          (alignment.resampled_away ? " after --fps" : "") + ", and without a 'frame' or 'time' " +
          "column it needs one row per " + per + std::to_string(needed) +
          "; add a 'time' or 'frame' column, or " + resample);
    }
    for (size_t i = 0; i < frames.size(); ++i) keys.push_back(static_cast<double>(i));
  } else if (kind == KeyKind::Frame) {
    for (int index : frames) keys.push_back(index);
  } else {
    if (recording.times.empty()) {
      throw UserError(table.path.string() + " aligns by its 'time' column but " + recording.source +
                      " has no timestamps; give the folder's frame rate with --frames-fps");
    }
    for (int index : frames) keys.push_back(recording.times[static_cast<size_t>(index)]);
  }
  return keys;
}

}  // namespace

std::vector<ActionColumn> choose_action_columns(const std::vector<std::string>& specs,
                                                const CsvTable& table) {
  std::vector<ActionColumn> columns;
  if (specs.empty()) {
    for (const auto& name : table.columns) {
      if (name != "frame" && name != "time") columns.push_back({name, name});
    }
  }
  for (const auto& spec : specs) {
    const auto eq = spec.find('=');
    ActionColumn column{spec.substr(0, eq), eq == std::string::npos ? spec : spec.substr(eq + 1)};
    if (column.csv_name.empty() || column.name.empty()) {
      throw UserError("--action-columns: '" + spec + "' should be NAME or NAME=NEW_NAME");
    }
    if (!table.has_column(column.csv_name)) {
      throw UserError(table.path.string() + ": no column '" + column.csv_name +
                      "' (available: " + table.column_list() + ")");
    }
    columns.push_back(column);
  }
  std::set<std::string> names;
  for (const auto& column : columns) {
    if (!names.insert(column.name).second) {
      throw UserError("--action-columns: the name '" + column.name + "' is used twice");
    }
  }
  if (columns.size() > 8) {
    throw UserError(table.path.string() + ": " + std::to_string(columns.size()) +
                    " action columns, at most 8 are supported; pick some with --action-columns");
  }
  return columns;
}

Alignment select_frames(const Recording& recording, double fps) {
  Alignment alignment;
  const int count = static_cast<int>(recording.frames.size());
  if (fps <= 0) {
    for (int i = 0; i < count; ++i) alignment.frames.push_back(i);
    return alignment;
  }
  if (recording.times.empty()) {
    throw UserError(recording.source + ": --fps needs timestamps and a frames folder has none; "
                    "give its frame rate with --frames-fps");
  }
  alignment.frames = resample_by_time(recording.times, fps);
  alignment.resampled_away = count - static_cast<int>(alignment.frames.size());
  return alignment;
}

void align_nothing(Alignment& alignment) {
  alignment.actions.assign(static_cast<size_t>(alignment.transitions()), {});
  alignment.valid.assign(static_cast<size_t>(alignment.transitions()), 1);
}

void align_actions(Alignment& alignment, const Recording& recording, const CsvTable& table,
                   const std::vector<ActionColumn>& columns) {
  const KeyKind kind = key_kind(table);
  const auto rows = row_keys(table, kind);
  const auto keys = frame_keys(alignment, recording, table, kind, 1);
  std::vector<std::vector<double>> values;
  for (const auto& column : columns) values.push_back(table.numbers(column.csv_name));

  const size_t transitions = static_cast<size_t>(alignment.transitions());
  alignment.actions.assign(transitions, {});
  alignment.valid.assign(transitions, 0);
  size_t row = 0;  // first row not before the current transition's start
  for (size_t t = 0; t < transitions; ++t) {
    const double start = keys[t] - kKeyTolerance, end = keys[t + 1] - kKeyTolerance;
    if (start < rows.front() - 2 * kKeyTolerance || start > rows.back()) continue;
    while (row < rows.size() && rows[row] < start) ++row;
    size_t last = row;
    while (last < rows.size() && rows[last] < end) ++last;
    if (last == row && row == 0) continue;  // nothing inside and nothing earlier to hold
    // Rows inside the transition are averaged; none inside means the last earlier row holds.
    const size_t from = last > row ? row : row - 1;
    const size_t to = last > row ? last : row;
    std::vector<double> action(columns.size(), 0.0);
    for (size_t c = 0; c < columns.size(); ++c) {
      for (size_t r = from; r < to; ++r) action[c] += values[c][r];
      action[c] /= static_cast<double>(to - from);
    }
    alignment.actions[t] = std::move(action);
    alignment.valid[t] = 1;
  }
}

namespace {

std::vector<double> unwrap(std::vector<double> angles) {
  for (size_t i = 1; i < angles.size(); ++i) {
    const double step = std::remainder(angles[i] - angles[i - 1], 2 * kPi);
    angles[i] = angles[i - 1] + step;
  }
  return angles;
}

double lerp(double a, double b, double f) { return a + (b - a) * f; }

}  // namespace

void align_poses(Alignment& alignment, const Recording& recording, const CsvTable& table) {
  const KeyKind kind = key_kind(table);
  const auto rows = row_keys(table, kind);
  const auto keys = frame_keys(alignment, recording, table, kind, 0);
  const auto xs = table.numbers("x"), ys = table.numbers("y");
  const auto yaws = unwrap(table.numbers("yaw"));

  std::vector<PoseSample> samples(keys.size());
  std::vector<char> covered(keys.size(), 0);
  size_t row = 0;
  for (size_t f = 0; f < keys.size(); ++f) {
    const double key = keys[f];
    if (key < rows.front() - kKeyTolerance || key > rows.back() + kKeyTolerance) continue;
    while (row + 1 < rows.size() && rows[row + 1] <= key) ++row;
    const size_t next = row + 1 < rows.size() ? row + 1 : row;
    const double span = rows[next] - rows[row];
    const double f_between = span > 0 ? std::clamp((key - rows[row]) / span, 0.0, 1.0) : 0.0;
    samples[f] = {lerp(xs[row], xs[next], f_between), lerp(ys[row], ys[next], f_between),
                  lerp(yaws[row], yaws[next], f_between)};
    covered[f] = 1;
  }

  const size_t transitions = static_cast<size_t>(alignment.transitions());
  alignment.actions.assign(transitions, {});
  alignment.valid.assign(transitions, 0);
  for (size_t t = 0; t < transitions; ++t) {
    if (!covered[t] || !covered[t + 1]) continue;
    const auto step = odometry_step(samples[t], samples[t + 1]);
    alignment.actions[t] = {step[0], step[1], step[2]};
    alignment.valid[t] = 1;
  }
  alignment.poses.clear();
  for (const auto& sample : samples) {
    alignment.poses.push_back({static_cast<float>(sample.x), static_cast<float>(sample.y),
                               static_cast<float>(std::remainder(sample.yaw, 2 * kPi))});
  }
}

std::array<double, 3> odometry_step(const PoseSample& from, const PoseSample& to) {
  const double dx = to.x - from.x, dy = to.y - from.y;
  const double turn = std::remainder(to.yaw - from.yaw, 2 * kPi);
  // On an arc the chord points along the heading halfway through the turn; measuring there
  // gives a non-holonomic vehicle (a car, a walker) zero sideways motion, as it should.
  const double heading = from.yaw + turn / 2;
  const double forward = dx * std::cos(heading) + dy * std::sin(heading);
  const double strafe = dx * std::sin(heading) - dy * std::cos(heading);  // right of heading
  return {forward, strafe, turn};
}

}  // namespace dw::data
