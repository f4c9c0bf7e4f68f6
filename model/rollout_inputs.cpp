#include "model/rollout_inputs.h"

#include <cmath>
#include <cstdio>

#include "datasets/csv.h"
#include "datasets/dataset.h"
#include "nav/policy.h"
#include "nav/base/user_error.h"
#include "nav/world.h"

namespace dw::model {

std::vector<std::vector<float>> read_actions_csv(const std::filesystem::path& path,
                                                 const data::ActionSchema& schema) {
  const data::CsvTable table = data::read_csv(path);
  if (static_cast<int>(table.columns.size()) != schema.dimension()) {
    throw UserError(path.string() + " line 1: " + std::to_string(table.columns.size()) +
                    " columns, but the model's actions have " + std::to_string(schema.dimension()) +
                    " (" + (schema.dimension() ? "" : "none") + [&] {
                      std::string names;
                      for (const auto& name : schema.names) names += (names.empty() ? "" : ",") + name;
                      return names;
                    }() + ")");
  }
  std::vector<std::vector<double>> columns;
  for (const std::string& name : schema.names) columns.push_back(table.numbers(name));
  std::vector<std::vector<float>> actions(table.rows.size(), std::vector<float>(schema.dimension()));
  for (size_t row = 0; row < table.rows.size(); ++row) {
    for (int a = 0; a < schema.dimension(); ++a) {
      const double value = columns[a][row];
      if (value < -1.0 || value > 1.0) {
        throw UserError(table.where(row) + ": " + schema.names[a] + " = " + table.rows[row][table.column_index(schema.names[a])] +
                        " is outside [-1, 1]");
      }
      actions[row][a] = static_cast<float>(value);
    }
  }
  return actions;
}

namespace {

Trajectory from_episode(const std::filesystem::path& data_dir, const std::string& split, int index,
                        const RolloutSource& source, const ModelInfo& info) {
  const data::Manifest manifest = data::read_manifest(data_dir);
  const auto& names = data::split_episodes(manifest, split, data_dir);
  if (index < 0 || index >= static_cast<int>(names.size())) {
    throw UserError("--start-episode: split '" + split + "' of " + data_dir.string() + " has " +
                    std::to_string(names.size()) + " episodes; index " + std::to_string(index) +
                    " is out of range");
  }
  const data::Episode episode = data::read_episode(data_dir / names[index]);
  const int context = std::min<int>(info.context, static_cast<int>(episode.frames.size()) - 1);
  const int available = static_cast<int>(episode.frames.size()) - context;
  if (source.steps > available) {
    throw UserError("--start-episode " + data_dir.string() + ":" + split + ":" + std::to_string(index) +
                    " has only " + std::to_string(available) + " frames after the context; use --steps " +
                    std::to_string(available) + " or less");
  }
  Trajectory trajectory;
  trajectory.label = names[index];
  trajectory.context.assign(episode.frames.begin(), episode.frames.begin() + context);
  trajectory.context_actions.assign(episode.actions.begin(), episode.actions.begin() + context - 1);
  for (int k = 0; k < source.steps; ++k) {
    trajectory.truth.push_back(episode.frames[context + k]);
    trajectory.actions.push_back(episode.actions.empty() ? std::vector<float>{}
                                                         : episode.actions[context - 1 + k]);
  }
  return trajectory;
}

// Walks the ground-truth world with a policy: the first frames become the context, the rest the
// truth, and the policy's actions drive the dream.
Trajectory from_world(const RolloutSource& source, int trajectory_index, const ModelInfo& info) {
  if (info.schema.dimension() != 3) {
    throw UserError("--policy drives navigation models (3 actions), but this model has " +
                    std::to_string(info.schema.dimension()) + "; give --actions instead");
  }
  const nav::WorldSettings settings = data::world_settings_for(info.schema);  // the limits it learned
  const nav::World world(source.world_seed, settings);
  const std::uint64_t seed = source.seed + static_cast<std::uint64_t>(trajectory_index);
  auto policy = nav::make_policy(source.policy, seed);
  nav::Pose pose = world.spawn_pose(seed);
  Trajectory trajectory;
  trajectory.label = "world " + std::to_string(source.world_seed) + " " + source.policy + " seed " +
                     std::to_string(seed);
  const int total = info.context + source.steps;
  for (int t = 0; t < total; ++t) {
    Image frame = resize_image(world.render_view(pose, std::max(info.width, 32)), info.width, info.height);
    if (t < info.context) trajectory.context.push_back(std::move(frame));
    else trajectory.truth.push_back(std::move(frame));
    if (t + 1 == total) break;
    const nav::Action action = policy->next_action(world, pose);
    const std::vector<float> row{action.forward, action.strafe, action.turn};
    if (t + 1 < info.context) trajectory.context_actions.push_back(row);
    else trajectory.actions.push_back(row);
    pose = world.step(pose, action);
  }
  return trajectory;
}

std::vector<Image> load_start_images(const RolloutSource& source, const ModelInfo& info) {
  if (static_cast<int>(source.start_images.size()) > info.context) {
    throw UserError("--start: " + std::to_string(source.start_images.size()) +
                    " images given, but the model takes at most " + std::to_string(info.context));
  }
  std::vector<Image> images;
  for (const auto& path : source.start_images) images.push_back(load_model_image(path, info));
  return images;
}

void parse_episode_reference(const std::string& text, std::filesystem::path& data_dir,
                             std::string& split, int& index) {
  const size_t last = text.rfind(':');
  const size_t middle = last == std::string::npos || last == 0 ? std::string::npos : text.rfind(':', last - 1);
  if (middle == std::string::npos) {
    throw UserError("--start-episode '" + text + "': expected DATA:SPLIT:INDEX, e.g. data/default:test:0");
  }
  data_dir = text.substr(0, middle);
  split = text.substr(middle + 1, last - middle - 1);
  try {
    size_t used = 0;
    index = std::stoi(text.substr(last + 1), &used);
    if (used != text.size() - last - 1) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw UserError("--start-episode '" + text + "': INDEX must be a whole number");
  }
}

}  // namespace

Image load_model_image(const std::filesystem::path& path, const ModelInfo& info) {
  Image image = load_image(path);
  if (image.width != info.width || image.height != info.height) {
    std::fprintf(stderr, "dreamwalk: warning: %s is %dx%d; resized to the model's %dx%d\n",
                 path.c_str(), image.width, image.height, info.width, info.height);
    image = resize_image(image, info.width, info.height);
  }
  return image;
}

std::vector<Trajectory> resolve_rollout_source(const RolloutSource& source, const ModelInfo& info) {
  if (source.steps < 1) throw UserError("--steps must be at least 1");
  const int sources = !source.start_images.empty() + !source.start_episode.empty();
  if (sources > 1) throw UserError("give either --start or --start-episode, not both");
  if (sources == 0 && source.policy.empty()) {
    throw UserError("nothing to start from: give --start IMG, --start-episode DATA:SPLIT:INDEX or --policy NAME");
  }
  const bool is_action_free = info.schema.dimension() == 0;
  if (!source.start_images.empty() && source.actions_csv.empty() && source.policy.empty() &&
      !is_action_free) {
    throw UserError("--start needs actions: give --actions FILE or --policy NAME");
  }
  std::vector<std::vector<float>> csv_actions;
  if (!source.actions_csv.empty()) {
    csv_actions = read_actions_csv(source.actions_csv, info.schema);
    if (static_cast<int>(csv_actions.size()) < source.steps) {
      throw UserError(source.actions_csv.string() + ": " + std::to_string(csv_actions.size()) +
                      " action rows, but --steps is " + std::to_string(source.steps));
    }
    csv_actions.resize(source.steps);
  }
  std::vector<Trajectory> trajectories;
  for (int i = 0; i < source.trajectories; ++i) {
    Trajectory trajectory;
    if (!source.start_episode.empty()) {
      std::filesystem::path data_dir;
      std::string split;
      int index = 0;
      parse_episode_reference(source.start_episode, data_dir, split, index);
      trajectory = from_episode(data_dir, split, index + i, source, info);
    } else if (!source.policy.empty()) {
      trajectory = from_world(source, i, info);
    }
    if (!source.start_images.empty()) {
      // An action-free model (plain video prediction) needs no actions: each step takes none.
      if (is_action_free && trajectory.actions.empty()) trajectory.actions.assign(source.steps, {});
      trajectory.context = load_start_images(source, info);
      // What happened between the user's start images is unknown: taken as standing still.
      trajectory.context_actions.assign(trajectory.context.size() - 1,
                                        std::vector<float>(info.schema.dimension(), 0.0f));
      trajectory.truth.clear();  // the world's frames are not the truth for these images
      trajectory.label = source.start_images.front().filename().string();
    }
    if (!csv_actions.empty()) {
      trajectory.actions = csv_actions;
      if (source.start_images.empty()) trajectory.truth.clear();  // other actions, other future
    }
    trajectories.push_back(std::move(trajectory));
  }
  return trajectories;
}

}  // namespace dw::model
