#include "datasets/generate.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include "datasets/dataset.h"
#include "nav/base/atomic_file.h"
#include "nav/policy.h"
#include "nav/random.h"
#include "nav/base/user_error.h"

namespace dw::data {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kUnseenSeedOffset = 1000;

void require(bool condition, const std::string& message) {
  if (!condition) throw UserError(message);
}

std::string episode_name(const std::string& split, int index) {
  char name[64];
  std::snprintf(name, sizeof(name), "%s-%05d", split.c_str(), index);
  return name;
}

void plan_split(const std::string& split, int count, std::uint64_t first_world, int world_count,
                std::uint64_t stream, const std::vector<std::string>& policies, std::vector<PlannedEpisode>& plan) {
  for (int k = 0; k < count; ++k) {
    PlannedEpisode episode;
    episode.split = split;
    episode.name = episode_name(split, k);
    episode.world_seed = first_world + static_cast<std::uint64_t>(k % world_count);
    episode.episode_seed = nav::mix_seed(nav::mix_seed(episode.world_seed, stream), static_cast<std::uint64_t>(k));
    episode.policy = policies[static_cast<std::size_t>(k / world_count) % policies.size()];
    plan.push_back(episode);
  }
}

fs::path clean_path(const fs::path& out) {
  fs::path path = fs::absolute(out).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  return path;
}

bool is_nonempty_folder(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return false;
  if (!fs::is_directory(path, error)) return true;
  return fs::directory_iterator(path, error) != fs::directory_iterator();
}

}  // namespace

std::vector<std::string> policy_list(const GenerateOptions& options) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = options.policy.find(',', start);
    const std::string name = options.policy.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    require(!name.empty(), "--policy: empty name in '" + options.policy + "' (give names separated by commas, e.g. explore,keys)");
    try {
      nav::make_policy(name, 0);  // the one place that knows the names; its error lists them
    } catch (const UserError& error) {
      throw UserError(std::string("--policy: ") + error.what());
    }
    names.push_back(name);
    if (comma == std::string::npos) return names;
    start = comma + 1;
  }
}

GenerateOptions resolve_options(GenerateOptions options) {
  policy_list(options);
  require(options.episodes >= 1, "--episodes must be at least 1");
  require(options.steps >= 1, "--steps must be at least 1");
  require(options.size >= 32 && options.size <= 512, "--size must be 32..512 pixels");
  require(options.worlds >= 1 && options.worlds <= static_cast<int>(kUnseenSeedOffset),
          "--worlds must be 1..1000 (held-out seeds start at world seed + 1000)");
  require(options.unseen_worlds >= 0, "--unseen-worlds must not be negative");
  require(options.threads >= 1 && options.threads <= 64, "--threads must be 1..64");
  const int five_percent = std::max(1, (options.episodes + 10) / 20);
  if (options.val_episodes < 0) options.val_episodes = five_percent;
  if (options.test_episodes < 0) options.test_episodes = five_percent;
  if (options.unseen_episodes < 0) options.unseen_episodes = options.unseen_worlds > 0 ? options.test_episodes : 0;
  require(options.unseen_worlds > 0 || options.unseen_episodes == 0,
          "--unseen-episodes needs --unseen-worlds of at least 1");
  return options;
}

std::vector<PlannedEpisode> plan_dataset(const GenerateOptions& options) {
  const std::vector<std::string> policies = policy_list(options);
  std::vector<PlannedEpisode> plan;
  plan_split("train", options.episodes, options.world_seed, options.worlds, 1, policies, plan);
  plan_split("val", options.val_episodes, options.world_seed, options.worlds, 2, policies, plan);
  plan_split("test", options.test_episodes, options.world_seed, options.worlds, 3, policies, plan);
  if (options.unseen_worlds > 0)
    plan_split("test_unseen", options.unseen_episodes, options.world_seed + kUnseenSeedOffset,
               options.unseen_worlds, 4, policies, plan);
  return plan;
}

Episode generate_episode(const nav::World& world, const PlannedEpisode& plan, const GenerateOptions& options) {
  Episode episode;
  episode.meta.source = "nav";
  episode.meta.policy = plan.policy;
  episode.meta.world_seed = world.seed();
  episode.meta.world_settings = world.settings();
  episode.meta.width = options.size;
  episode.meta.height = options.size;
  episode.meta.schema = ActionSchema::navigation(world.settings().limits);
  auto policy = nav::make_policy(plan.policy, plan.episode_seed);
  nav::Pose pose = world.spawn_pose(plan.episode_seed);
  episode.frames.reserve(static_cast<std::size_t>(options.steps) + 1);
  episode.frames.push_back(world.render_view(pose, options.size));
  episode.poses.push_back(pose);
  for (int t = 0; t < options.steps; ++t) {
    nav::Action action = policy->next_action(world, pose);
    // Record exactly what the world executed: actions live in [-1, 1].
    action.forward = std::clamp(action.forward, -1.0f, 1.0f);
    action.strafe = std::clamp(action.strafe, -1.0f, 1.0f);
    action.turn = std::clamp(action.turn, -1.0f, 1.0f);
    pose = world.step(pose, action);
    episode.actions.push_back({action.forward, action.strafe, action.turn});
    episode.frames.push_back(world.render_view(pose, options.size));
    episode.poses.push_back(pose);
  }
  return episode;
}

void generate_dataset(const GenerateOptions& requested, const fs::path& out_path,
                      const std::function<void(int done, int total)>& progress) {
  const GenerateOptions options = resolve_options(requested);
  const fs::path out = clean_path(out_path);
  if (is_nonempty_folder(out) && !options.force)
    throw UserError(out.string() + ": already exists and is not empty (use --force to replace it)");
  const std::vector<PlannedEpisode> plan = plan_dataset(options);
  std::map<std::uint64_t, nav::World> worlds;
  for (const auto& episode : plan)
    if (!worlds.count(episode.world_seed)) worlds.emplace(episode.world_seed, nav::World(episode.world_seed, options.settings));

  const fs::path building = temporary_path_for(out);
  std::error_code error;
  fs::remove_all(building, error);  // left over from a killed run
  fs::create_directories(building, error);
  if (error) throw UserError(building.string() + ": cannot create the output folder: " + error.message());

  // Each episode is a pure function of its plan entry, so any thread may take any episode.
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::exception_ptr first_error;
  int done = 0;
  auto work = [&] {
    for (std::size_t i = next++; i < plan.size() && !failed; i = next++) {
      try {
        write_episode(generate_episode(worlds.at(plan[i].world_seed), plan[i], options), building / plan[i].name);
        std::lock_guard<std::mutex> lock(mutex);
        if (progress) progress(++done, static_cast<int>(plan.size()));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < options.threads; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  if (first_error) {
    fs::remove_all(building, error);
    std::rethrow_exception(first_error);
  }

  Manifest manifest;
  manifest.width = options.size;
  manifest.height = options.size;
  manifest.schema = ActionSchema::navigation(options.settings.limits);
  for (const auto& name : split_names())
    if (name != "test_unseen" || options.unseen_worlds > 0) manifest.splits[name];
  for (const auto& episode : plan) manifest.splits[episode.split].push_back(episode.name);
  write_manifest(manifest, building);
  replace_folder(building, out);  // an old dataset (with --force) stays whole until now
}

}  // namespace dw::data
