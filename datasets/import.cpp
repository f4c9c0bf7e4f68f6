#include "datasets/import.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "datasets/dataset.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::data {

namespace {

namespace fs = std::filesystem;

fs::path output_path(const ImportOptions& options) {
  fs::path out = options.out;
  if (!out.has_filename()) out = out.parent_path();  // "data/" -> "data"
  return out;
}

void check_options(const ImportOptions& options) {
  if (options.sources.empty()) throw UserError("give at least one --frames DIR or --video FILE");
  if (!options.actions_csvs.empty() && !options.poses_csvs.empty()) {
    throw UserError("give --actions or --poses, not both");
  }
  for (const auto* csvs : {&options.actions_csvs, &options.poses_csvs}) {
    if (!csvs->empty() && csvs->size() != options.sources.size()) {
      throw UserError(std::to_string(options.sources.size()) + " sources but " +
                      std::to_string(csvs->size()) + " CSV file(s); give one CSV per source, in order");
    }
  }
  if (options.size < 8 || options.size > 1024) throw UserError("--size must be in 8..1024");
  if (options.min_length < 2) throw UserError("--min-length must be at least 2 frames");
  if (options.episode_length != 0 && options.episode_length < options.min_length) {
    throw UserError("--episode-length must be 0 (no limit) or at least --min-length");
  }
  if (options.fps < 0 || options.frames_fps < 0) throw UserError("--fps must be positive");
  if (options.split_by != "episode" && options.split_by != "recording") {
    throw UserError("--split-by must be 'episode' or 'recording'");
  }
  for (int index : options.unseen) {
    if (index < 0 || index >= static_cast<int>(options.sources.size())) {
      throw UserError("--unseen " + std::to_string(index) + ": sources are numbered 0.." +
                      std::to_string(options.sources.size() - 1) + " in command-line order");
    }
  }
  assign_splits(0, options.split, 0);  // checks the ratios before any slow reading
  if (options.out.empty()) throw UserError("give the dataset folder with --out");
  if (fs::exists(output_path(options)) && !options.force) {
    throw UserError(output_path(options).string() + " already exists; pick a new --out folder or add --force to replace it");
  }
}

// What the CSVs say, decided once for all sources so every episode shares one schema.
struct Signals {
  std::vector<ActionColumn> columns;  // actions CSVs only
  std::vector<std::string> names;
  std::string uncovered_reason;
};

Signals decide_signals(const ImportOptions& options, const std::vector<CsvTable>& tables) {
  Signals signals;
  if (!options.actions_csvs.empty()) {
    signals.columns = choose_action_columns(options.action_columns, tables.front());
    for (const auto& table : tables) {
      for (const auto& column : signals.columns) {
        if (!table.has_column(column.csv_name)) {
          throw UserError(table.path.string() + ": no column '" + column.csv_name +
                          "' (available: " + table.column_list() + ")");
        }
      }
    }
    for (const auto& column : signals.columns) signals.names.push_back(column.name);
    signals.uncovered_reason = "not covered by the actions CSV";
  } else if (!options.poses_csvs.empty()) {
    signals.names = {"forward", "strafe", "turn"};
    signals.uncovered_reason = "not covered by the poses CSV";
    if (!options.action_columns.empty()) {
      throw UserError("--action-columns applies to --actions; --poses always gives forward, strafe, turn");
    }
  }
  for (const auto& [name, scale] : options.action_scales) {
    if (std::find(signals.names.begin(), signals.names.end(), name) == signals.names.end()) {
      std::string list;
      for (const auto& known : signals.names) list += (list.empty() ? "" : ", ") + known;
      throw UserError("--action-scale: no action column '" + name + "' (the columns are: " +
                      (list.empty() ? "none, this import has no actions" : list) + ")");
    }
    if (!(scale > 0)) throw UserError("--action-scale " + name + ": the scale must be positive");
  }
  return signals;
}

std::vector<CsvTable> read_tables(const ImportOptions& options) {
  std::vector<CsvTable> tables;
  for (const auto& path : options.actions_csvs) tables.push_back(read_csv(path));
  for (const auto& path : options.poses_csvs) {
    tables.push_back(read_csv(path));
    for (const char* column : {"x", "y", "yaw"}) {
      if (!tables.back().has_column(column)) {
        throw UserError(path.string() + ": a poses CSV needs columns x, y, yaw (and 'time' or "
                        "'frame'); it has: " + tables.back().column_list());
      }
    }
  }
  return tables;
}

// Scales per column: given by --action-scale, else derived. Strafe shares forward's scale by
// default because both are distances in the same unit, and strafe is often pure noise.
std::vector<ColumnRange> decide_scales(const ImportOptions& options, const Signals& signals,
                                       const std::vector<Alignment>& alignments) {
  std::vector<ColumnRange> ranges;
  for (size_t c = 0; c < signals.names.size(); ++c) {
    std::vector<double> values;
    for (const auto& alignment : alignments) {
      for (size_t t = 0; t < alignment.valid.size(); ++t) {
        if (alignment.valid[t]) values.push_back(alignment.actions[t][c]);
      }
    }
    ColumnRange range;
    range.name = signals.names[c];
    if (!values.empty()) {
      range.min = *std::min_element(values.begin(), values.end());
      range.max = *std::max_element(values.begin(), values.end());
    }
    const auto given = options.action_scales.find(range.name);
    const bool shares_forward = range.name == "strafe" && !options.poses_csvs.empty();
    if (given != options.action_scales.end()) {
      range.scale = given->second;
      range.rule = "--action-scale";
    } else if (shares_forward) {
      range.scale = ranges.front().scale;
      range.rule = "forward's scale";
    } else {
      range.scale = derived_scale(values);
      range.rule = "95th percentile of |value|";
    }
    // Rounding noise around a constant column is not worth reporting as clipping.
    const auto clipped = std::count_if(values.begin(), values.end(),
                                       [&](double v) { return std::fabs(v) > 1.01 * range.scale; });
    range.clipped_fraction = values.empty() ? 0 : static_cast<double>(clipped) / values.size();
    ranges.push_back(range);
  }
  return ranges;
}

}  // namespace

namespace {

Recording read_source(const ImportSource& source, const FramePrep& prep, double frames_fps) {
  if (source.kind == ImportSource::Kind::Video) return read_video_recording(source.path, prep);
  return read_frames_folder(source.path, prep, frames_fps);
}

// Reads every source and lines it up with its CSV; records what --fps and the video left out.
std::vector<Alignment> read_and_align(const ImportOptions& options, const std::vector<CsvTable>& tables,
                                      const Signals& signals, const ImportProgress& progress,
                                      std::vector<Recording>& recordings, ImportSummary& summary) {
  const FramePrep prep{options.size, options.center_crop};
  std::vector<Alignment> alignments;
  const long count = static_cast<long>(options.sources.size());
  for (size_t i = 0; i < options.sources.size(); ++i) {
    if (progress) progress("reading", static_cast<long>(i), count);
    recordings.push_back(read_source(options.sources[i], prep, options.frames_fps));
    const Recording& recording = recordings.back();
    summary.source_frames += static_cast<long>(recording.frames.size()) + recording.skipped;
    if (recording.skipped) summary.dropped["repeated or backwards video timestamp"] += recording.skipped;
    Alignment alignment = select_frames(recording, options.fps);
    if (alignment.resampled_away) summary.dropped["resampled away by --fps"] += alignment.resampled_away;
    if (!options.actions_csvs.empty()) {
      align_actions(alignment, recording, tables[i], signals.columns);
    } else if (!options.poses_csvs.empty()) {
      align_poses(alignment, recording, tables[i]);
    } else {
      align_nothing(alignment);
    }
    alignments.push_back(std::move(alignment));
  }
  if (progress) progress("reading", count, count);
  return alignments;
}

// The split of each span: sources named by --unseen go to test_unseen; the rest are shuffled by
// recording or by episode, never by window, so no held-out frame appears in training.
std::vector<std::string> assign_span_splits(const ImportOptions& options,
                                            const std::vector<EpisodeSpan>& spans) {
  const std::set<int> unseen(options.unseen.begin(), options.unseen.end());
  std::vector<int> unit_of_span(spans.size(), -1);
  std::map<int, int> unit_of_recording;
  int units = 0;
  for (size_t s = 0; s < spans.size(); ++s) {
    if (unseen.count(spans[s].recording)) continue;
    if (options.split_by == "episode") {
      unit_of_span[s] = units++;
    } else {
      auto [it, added] = unit_of_recording.emplace(spans[s].recording, units);
      if (added) ++units;
      unit_of_span[s] = it->second;
    }
  }
  const auto unit_splits = assign_splits(units, options.split, options.seed);
  std::vector<std::string> splits;
  for (int unit : unit_of_span) {
    splits.push_back(unit < 0 ? "test_unseen" : unit_splits[static_cast<size_t>(unit)]);
  }
  return splits;
}

Episode make_episode(const Recording& recording, const Alignment& alignment, const EpisodeSpan& span,
                     const ActionSchema& schema, int size) {
  Episode episode;
  episode.meta.source = "import";
  episode.meta.width = size;
  episode.meta.height = size;
  episode.meta.schema = schema;
  for (int p = span.first; p < span.first + span.count; ++p) {
    const auto frame = static_cast<size_t>(alignment.frames[static_cast<size_t>(p)]);
    episode.frames.push_back(recording.frames[frame]);
    if (!alignment.poses.empty()) episode.poses.push_back(alignment.poses[static_cast<size_t>(p)]);
    if (p + 1 < span.first + span.count && schema.dimension() > 0) {
      episode.actions.push_back(scale_action(alignment.actions[static_cast<size_t>(p)], schema.limits));
    }
  }
  return episode;
}

// The dataset is built here and renamed into place at the end; on any failure it is removed.
class TemporaryFolder {
 public:
  explicit TemporaryFolder(fs::path path) : path_(std::move(path)) {
    fs::remove_all(path_);  // left over from an import that was killed
    fs::create_directories(path_);
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    if (!renamed_) fs::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const fs::path& path() const { return path_; }
  void rename_to(const fs::path& target) {
    replace_folder(path_, target);  // an old dataset (with --force) stays whole until now
    renamed_ = true;
  }

 private:
  fs::path path_;
  bool renamed_ = false;
};

std::string describe_drops(const DropCounts& dropped) {
  std::string text;
  for (const auto& [reason, count] : dropped) {
    text += (text.empty() ? "" : "; ") + std::to_string(count) + " " + reason;
  }
  return text.empty() ? "none" : text;
}

}  // namespace

ImportSummary import_dataset(const ImportOptions& options, const ImportProgress& progress) {
  check_options(options);
  const auto tables = read_tables(options);
  const Signals signals = decide_signals(options, tables);
  ImportSummary summary;
  summary.out = output_path(options);
  for (const auto& name : split_names()) summary.split_episodes[name] = 0;
  std::vector<Recording> recordings;
  const auto alignments = read_and_align(options, tables, signals, progress, recordings, summary);
  summary.columns = decide_scales(options, signals, alignments);

  ActionSchema schema;
  schema.names = signals.names;
  for (const auto& column : summary.columns) schema.limits.push_back(column.scale);
  if (!options.poses_csvs.empty()) schema.keys = {"W/S", "D/A", "Q/E"};

  std::vector<EpisodeSpan> spans;
  for (size_t i = 0; i < alignments.size(); ++i) {
    auto more = chop_episodes(alignments[i], static_cast<int>(i), options.episode_length,
                              options.min_length, signals.uncovered_reason, summary.dropped);
    spans.insert(spans.end(), more.begin(), more.end());
  }
  if (spans.empty()) {
    throw UserError("no episode left to write: every frame was dropped (" +
                    describe_drops(summary.dropped) + ")");
  }
  const auto splits = assign_span_splits(options, spans);

  Manifest manifest;
  manifest.width = manifest.height = options.size;
  manifest.schema = schema;
  for (const auto& name : split_names()) manifest.splits[name] = {};
  fs::create_directories(fs::absolute(summary.out).parent_path());
  TemporaryFolder building(summary.out.parent_path() / ("." + summary.out.filename().string() + ".importing"));
  for (size_t s = 0; s < spans.size(); ++s) {
    if (progress) progress("writing", static_cast<long>(s), static_cast<long>(spans.size()));
    const auto& span = spans[s];
    const auto recording = static_cast<size_t>(span.recording);
    const Episode episode = make_episode(recordings[recording], alignments[recording], span, schema, options.size);
    char name[32];
    std::snprintf(name, sizeof(name), "ep_%06zu", s);
    write_episode(episode, building.path() / name);
    manifest.splits[splits[s]].push_back(name);
    summary.split_episodes[splits[s]] += 1;
    summary.frames += span.count;
  }
  if (progress) progress("writing", static_cast<long>(spans.size()), static_cast<long>(spans.size()));
  write_manifest(manifest, building.path());
  const auto problems = validate_dataset(building.path());
  if (!problems.empty()) throw std::logic_error("imported dataset does not validate: " + problems.front());
  building.rename_to(summary.out);
  summary.episodes = static_cast<int>(spans.size());
  return summary;
}

}  // namespace dw::data
