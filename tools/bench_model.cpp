// `dreamwalk bench train` (training frames/s), `dreamwalk bench step` (latency of one
// Simulator::step at batch 1) and `dreamwalk bench rollout` (batched imagined frames/s at several
// batch sizes): one JSON object per measurement.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/revisit.h"
#include "model/simulator.h"
#include "model/threads.h"
#include "model/trainer.h"
#include "nav/pose.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/launch.h"

namespace dw::tools {

namespace {

struct ModelBenchFlags {
  std::string checkpoint;
  std::string config;
  std::string data;
  std::string device = "cpu";
  int threads = 0;
  int steps = 0;
  int nproc = 1;
  double dist_timeout_s = 60.0;
  bool no_memory = false;
  bool no_view_map = false;
  bool no_start_room = false;
  int world_seed = -1;  // bench step: start from this world's spawn view (else black frames)
};

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

void check_source(const ModelBenchFlags& flags) {
  if (flags.checkpoint.empty() == flags.config.empty()) throw UserError("give exactly one of --checkpoint or --config");
}

// Expected efficiency at 8 and 64 ranks with this run's batch per rank and compute per step, on
// the all-reduce bandwidth just measured (loopback, 2 ranks: the ring moves `bytes` once) and on
// a 10 Gbit/s link.
nlohmann::json scaling_projection(const model::TrainSpeed& speed) {
  const double compute_s = (speed.step_ms - speed.all_reduce_ms) / 1000.0;
  const double measured_bytes_per_s =
      speed.all_reduce_ms > 0 ? speed.all_reduce_bytes * model::ring_all_reduce_seconds(speed.ranks, 1.0, 1.0) /
                                    (speed.all_reduce_ms / 1000.0)
                              : 0.0;
  nlohmann::json rows = nlohmann::json::array();
  const std::vector<std::pair<std::string, double>> links = {{"measured", measured_bytes_per_s}, {"10GbE", 1.25e9}};
  for (const auto& [link, bytes_per_s] : links) {
    for (const int ranks : {8, 64}) {
      const double all_reduce_s = model::ring_all_reduce_seconds(ranks, static_cast<double>(speed.all_reduce_bytes), bytes_per_s);
      rows.push_back({{"ranks", ranks}, {"link", link}, {"link_mb_per_s", bytes_per_s / 1e6},
                      {"all_reduce_ms", 1000.0 * all_reduce_s},
                      {"efficiency", model::data_parallel_efficiency(compute_s, all_reduce_s)}});
    }
  }
  return rows;
}

void run_bench_train(const ModelBenchFlags& flags) {
  check_source(flags);
  if (should_launch(flags.nproc, flags.threads)) std::exit(launch_local_ranks(flags.nproc, flags.dist_timeout_s));
  model::DistributedOptions distributed = model::distributed_from_environment();
  distributed.timeout_s = flags.dist_timeout_s;
  const int steps = flags.steps > 0 ? flags.steps : 5;
  const model::TrainSpeed speed = model::measure_training_speed(flags.config, flags.checkpoint, flags.data,
                                                                flags.device, steps, flags.threads, distributed);
  if (distributed.rank != 0) return;  // rank 0 reports for the group
  nlohmann::json line = {{"bench", "train"}, {"frames_per_s", speed.frames_per_s}, {"batch", speed.batch},
                         {"parameters", speed.parameters}, {"peak_rss_mb", peak_rss_mb()},
                         {"threads", flags.threads}, {"device", flags.device},
                         {"data", flags.data.empty() ? "synthetic" : flags.data}, {"ranks", speed.ranks},
                         {"step_ms", speed.step_ms}};
  if (speed.ranks > 1) {
    line["all_reduce_ms"] = speed.all_reduce_ms;
    line["all_reduce_bytes"] = speed.all_reduce_bytes;
    line["compute_ms"] = speed.step_ms - speed.all_reduce_ms;
    line["projection"] = scaling_projection(speed);
  }
  fmt::print("{}\n", line.dump());
}

std::unique_ptr<model::Simulator> make_simulator(const ModelBenchFlags& flags) {
  check_source(flags);
  auto simulator = flags.checkpoint.empty()
                       ? model::Simulator::untrained(flags.config, data::ActionSchema::navigation(nav::ActionLimits{}),
                                                     flags.device)
                       : model::Simulator::load(flags.checkpoint, flags.device);
  model::set_memories(*simulator, flags.no_memory, flags.no_view_map, flags.no_start_room);
  return simulator;
}

void run_bench_step(const ModelBenchFlags& flags) {
  model::configure_default_threads(flags.threads > 0 ? flags.threads : 2);
  auto simulator = make_simulator(flags);
  const model::ModelInfo& info = simulator->info();
  std::vector<Image> starts(static_cast<size_t>(info.context), Image(info.width, info.height));
  if (flags.world_seed >= 0) {  // a start in a world the view map may show, so its recalls are timed too
    const nav::World world = model::revisit_world(info, static_cast<std::uint64_t>(flags.world_seed));
    starts.assign(starts.size(), world.render_view(world.spawn_pose(static_cast<std::uint64_t>(flags.world_seed)),
                                                   info.width));
  }
  simulator->reset_single(starts, 0);
  const std::vector<float> action(static_cast<size_t>(info.schema.dimension()), 0.5f);
  for (int i = 0; i < 10; ++i) simulator->step_single(action);  // warm-up
  const int steps = flags.steps > 0 ? flags.steps : 200;
  std::vector<double> times;
  for (int i = 0; i < steps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    simulator->step_single(action);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  double total = 0.0;
  for (double t : times) total += t;
  nlohmann::json line = {{"bench", "step"}, {"ms_per_step", total / steps}, {"median_ms", times[times.size() / 2]},
                         {"batch", 1}, {"size", info.width}, {"threads", flags.threads > 0 ? flags.threads : 2},
                         {"parameters", info.parameters}, {"device", flags.device},
                         {"place_memory", simulator->place_memory()}, {"view_map", simulator->view_map()},
                         {"start_room", simulator->start_room()}};
  if (flags.world_seed >= 0) line["world_seed"] = flags.world_seed;
  fmt::print("{}\n", line.dump());
}

// Imagined frames per second of the batched rollout: B trajectories advance in one forward pass.
void run_bench_rollout(const ModelBenchFlags& flags, const std::vector<int>& batches) {
  model::configure_default_threads(flags.threads);
  auto simulator = make_simulator(flags);
  const model::ModelInfo& info = simulator->info();
  const int steps = flags.steps > 0 ? std::max(flags.steps, 2) : 32;
  for (const int batch : batches) {
    if (batch < 1) throw UserError("--batches must be positive");
    const std::vector<std::vector<Image>> starts(
        static_cast<size_t>(batch), std::vector<Image>(static_cast<size_t>(info.context), Image(info.width, info.height)));
    const std::vector<std::vector<std::vector<float>>> actions(
        static_cast<size_t>(batch), std::vector<std::vector<float>>(static_cast<size_t>(steps),
                                                                   std::vector<float>(info.schema.dimension(), 0.5f)));
    // Warm-up: two steps, so allocations and first-call costs stay out of the timing.
    std::vector<std::vector<std::vector<float>>> warm_up(actions.size());
    for (size_t b = 0; b < actions.size(); ++b) warm_up[b].assign(actions[b].begin(), actions[b].begin() + 2);
    model::rollout(*simulator, starts, {}, warm_up, 0);
    const auto start = std::chrono::steady_clock::now();
    model::rollout(*simulator, starts, {}, actions, 0);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json line = {{"bench", "rollout"}, {"batch", batch}, {"steps", steps}, {"size", info.width},
                           {"frames_per_s", batch * steps / seconds}, {"ms_per_batch_step", 1000.0 * seconds / steps},
                           {"threads", flags.threads}, {"device", flags.device}, {"peak_rss_mb", peak_rss_mb()}};
    fmt::print("{}\n", line.dump());
  }
}

void add_source_flags(CLI::App* command, ModelBenchFlags& flags) {
  command->add_option("--checkpoint", flags.checkpoint, "Run folder or its model.json");
  command->add_option("--config", flags.config, "Model config YAML (an untrained model of that size)");
  command->add_option("--device", flags.device, "cpu or cuda")->capture_default_str();
}

}  // namespace

void add_bench_train(CLI::App& bench) {
  auto flags = std::make_shared<ModelBenchFlags>();
  CLI::App* command = bench.add_subcommand("train", "Training throughput (frames/s) of a model config");
  add_source_flags(command, *flags);
  command->add_option("--data", flags->data, "Dataset folder (default: synthetic windows)");
  command->add_option("--threads", flags->threads, "CPU threads (0 = default, 1)")->capture_default_str();
  command->add_option("--steps", flags->steps, "Timed steps (default 5)");
  command->add_option("--nproc", flags->nproc, "Ranks on this machine, data parallel over c10d (Gloo)")
      ->capture_default_str();
  command->add_option("--dist-timeout", flags->dist_timeout_s, "Seconds a rank waits for the others")
      ->capture_default_str();
  command->callback([flags] { run_bench_train(*flags); });
}

void add_bench_step(CLI::App& bench) {
  auto flags = std::make_shared<ModelBenchFlags>();
  CLI::App* command = bench.add_subcommand("step", "Latency of one Simulator::step at batch 1");
  add_source_flags(command, *flags);
  command->add_option("--threads", flags->threads, "CPU threads (default 2)");
  command->add_option("--steps", flags->steps, "Timed steps (default 200)");
  command->add_flag("--no-memory", flags->no_memory, "Step the model alone (no place memory, no start-frame walls, no view map)");
  command->add_flag("--no-view-map", flags->no_view_map, "Step without the run's view map");
  command->add_flag("--no-start-room", flags->no_start_room,
                    "Step without the start room (it draws only in a world the view map does not know)");
  command->add_option("--world-seed", flags->world_seed,
                      "Start from this world's spawn view instead of black frames (a navigation model)")
      ->check(CLI::NonNegativeNumber);
  command->callback([flags] { run_bench_step(*flags); });
}

}  // namespace dw::tools

namespace dw::tools {

void add_bench_rollout(CLI::App& bench) {
  auto flags = std::make_shared<ModelBenchFlags>();
  auto batches = std::make_shared<std::vector<int>>(std::vector<int>{1, 8, 64});
  CLI::App* command = bench.add_subcommand("rollout", "Batched rollout throughput (imagined frames/s) at several batch sizes");
  add_source_flags(command, *flags);
  command->add_option("--batches", *batches, "Batch sizes, comma separated")->delimiter(',')->capture_default_str();
  command->add_option("--threads", flags->threads, "CPU threads (0 = default, 1)")->capture_default_str();
  command->add_option("--steps", flags->steps, "Timed steps per batch size (default 32)");
  command->callback([flags, batches] { run_bench_rollout(*flags, *batches); });
}

}  // namespace dw::tools
