#include "model/rollout_job.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "datasets/dataset.h"
#include "datasets/gif_writer.h"
#include "datasets/video_writer.h"
#include "model/compare_strip.h"
#include "model/metrics.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::model {

namespace {

namespace fs = std::filesystem;

// Each (start, sample) pair is one trajectory of the batch; samples share their start's inputs.
std::vector<Trajectory> expand_samples(const std::vector<Trajectory>& starts, int samples) {
  std::vector<Trajectory> expanded;
  for (const Trajectory& start : starts)
    for (int s = 0; s < samples; ++s) expanded.push_back(start);
  return expanded;
}

std::vector<std::vector<Image>> roll_out(Simulator& simulator, const std::vector<Trajectory>& trajectories,
                                         const RolloutJob& job, const RolloutProgress& progress) {
  std::vector<std::vector<Image>> starts;
  std::vector<std::vector<std::vector<float>>> start_actions, actions;
  for (const Trajectory& trajectory : trajectories) {
    starts.push_back(trajectory.context);
    start_actions.push_back(trajectory.context_actions);
    const auto steps = std::min<size_t>(trajectory.actions.size(), static_cast<size_t>(job.source.steps));
    actions.push_back({trajectory.actions.begin(), trajectory.actions.begin() + static_cast<std::ptrdiff_t>(steps)});
  }
  simulator.set_temperature(job.temperature);
  return rollout(simulator, starts, start_actions, actions, job.source.seed, progress);
}

// One grid frame per step with every trajectory in it, so samples and batches play side by side.
std::vector<Image> grid_frames(const std::vector<std::vector<Image>>& predicted) {
  const int columns = std::min<int>(8, static_cast<int>(predicted.size()));
  std::vector<Image> frames;
  for (size_t k = 0; k < predicted.front().size(); ++k) {
    std::vector<Image> cells;
    for (const auto& trajectory : predicted) cells.push_back(trajectory[k]);
    frames.push_back(cells.size() == 1 ? cells.front() : tile_images(cells, columns));
  }
  return frames;
}

void write_media(const fs::path& dir, const std::vector<Trajectory>& trajectories,
                 const std::vector<std::vector<Image>>& predicted, const RolloutJob& job,
                 RolloutSummary& summary) {
  for (size_t b = 0; b < predicted.size(); ++b) {
    char name[64];
    std::snprintf(name, sizeof name, "trajectory_%03zu", b);
    fs::create_directories(dir / name);
    save_png(trajectories[b].context.back(), dir / name / data::frame_file_name(0));
    for (size_t k = 0; k < predicted[b].size(); ++k)
      save_png(predicted[b][k], dir / name / data::frame_file_name(static_cast<int>(k) + 1));
    summary.files.push_back(std::string(name) + "/");
  }
  const std::vector<Image> grid = grid_frames(predicted);
  data::write_gif(grid, dir / "rollout.gif", 100 / std::max(job.fps, 1), job.scale);
  summary.files.push_back("rollout.gif");
  if (data::can_write_video()) {
    data::write_mp4(grid, dir / "rollout.mp4", job.fps, job.scale);
    summary.files.push_back("rollout.mp4");
  }
}

void write_comparison(const fs::path& dir, const Trajectory& trajectory,
                      const std::vector<Image>& predicted, const RolloutJob& job,
                      RolloutSummary& summary) {
  // The strip shows at most 16 evenly spaced steps so it stays readable.
  const size_t steps = predicted.size(), columns = std::min<size_t>(16, steps);
  std::vector<Image> truth_columns, predicted_columns, frames;
  std::vector<int> column_steps;
  for (size_t c = 0; c < columns; ++c) {
    const size_t k = (c + 1) * steps / columns - 1;
    truth_columns.push_back(trajectory.truth[k]);
    predicted_columns.push_back(predicted[k]);
    column_steps.push_back(static_cast<int>(k) + 1);
  }
  save_png(labelled_compare_strip(truth_columns, predicted_columns, column_steps), dir / "compare.png");
  for (size_t k = 0; k < steps; ++k) frames.push_back(compare_frame(trajectory.truth[k], predicted[k]));
  data::write_gif(frames, dir / "compare.gif", 100 / std::max(job.fps, 1), job.scale);
  summary.files.push_back("compare.png");
  summary.files.push_back("compare.gif");
}

void write_dataset(const fs::path& dir, const std::vector<Trajectory>& trajectories,
                   const std::vector<std::vector<Image>>& predicted, const ModelInfo& info) {
  data::Manifest manifest;
  manifest.width = info.width;
  manifest.height = info.height;
  manifest.schema = info.schema;
  for (const std::string& split : data::split_names()) manifest.splits[split] = {};
  for (size_t b = 0; b < predicted.size(); ++b) {
    data::Episode episode;
    episode.meta.source = "rollout";
    episode.meta.policy = trajectories[b].label;
    episode.meta.width = info.width;
    episode.meta.height = info.height;
    episode.meta.schema = info.schema;
    episode.frames.push_back(trajectories[b].context.back());
    episode.frames.insert(episode.frames.end(), predicted[b].begin(), predicted[b].end());
    if (info.schema.dimension() > 0) episode.actions = trajectories[b].actions;
    char name[32];
    std::snprintf(name, sizeof name, "episode_%05zu", b);
    data::write_episode(episode, dir / name);
    manifest.splits["train"].push_back(name);
  }
  data::write_manifest(manifest, dir);
}

std::vector<double> psnr_per_step(const std::vector<Trajectory>& trajectories,
                                  const std::vector<std::vector<Image>>& predicted) {
  std::vector<double> sums(predicted.front().size(), 0.0);
  int counted = 0;
  for (size_t b = 0; b < trajectories.size(); ++b) {
    if (trajectories[b].truth.size() != predicted[b].size()) continue;
    ++counted;
    for (size_t k = 0; k < sums.size(); ++k) sums[k] += compare_frames(trajectories[b].truth[k], predicted[b][k]).psnr;
  }
  if (counted == 0) return {};
  for (double& sum : sums) sum /= counted;
  return sums;
}

void prepare_output(const RolloutJob& job) {
  if (job.out.empty()) throw UserError("--out is required");
  if (fs::exists(job.out) && !(fs::is_directory(job.out) && fs::is_empty(job.out)) && !job.force) {
    throw UserError(job.out.string() + ": already exists; choose another --out or add --force");
  }
  if (job.samples < 1 || job.source.trajectories < 1) throw UserError("--batch and --samples must be at least 1");
  if (job.scale < 1 || job.scale > 16) throw UserError("--scale must be in 1..16");
}

}  // namespace

RolloutSummary run_rollout_job(Simulator& simulator, const RolloutJob& job,
                               const RolloutProgress& progress) {
  prepare_output(job);
  const ModelInfo& info = simulator.info();
  const std::vector<Trajectory> trajectories =
      expand_samples(resolve_rollout_source(job.source, info), job.samples);
  if (job.compare && trajectories.front().truth.empty()) {
    throw UserError("--compare needs a known future: use --start-episode or --policy without --start/--actions");
  }
  const std::vector<std::vector<Image>> predicted = roll_out(simulator, trajectories, job, progress);

  RolloutSummary summary;
  summary.trajectories = static_cast<int>(trajectories.size());
  summary.steps = job.source.steps;
  summary.psnr_per_step = psnr_per_step(trajectories, predicted);
  write_folder_atomically(job.out, [&](const fs::path& temporary) {
    if (job.as_dataset) {
      write_dataset(temporary, trajectories, predicted, info);
      summary.files.push_back("manifest.json");
    } else {
      write_media(temporary, trajectories, predicted, job, summary);
      if (job.compare) write_comparison(temporary, trajectories.front(), predicted.front(), job, summary);
    }
    nlohmann::json json = {{"trajectories", summary.trajectories}, {"steps", summary.steps},
                           {"samples", job.samples}, {"temperature", job.temperature},
                           {"seed", job.source.seed}, {"model", info.weights_hash},
                           {"psnr_per_step", summary.psnr_per_step}, {"files", summary.files}};
    write_file_atomically(temporary / "rollout.json", json.dump(2) + "\n");
  });
  return summary;
}

}  // namespace dw::model
