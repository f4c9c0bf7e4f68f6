#include "model/revisit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "nav/random.h"
#include "nav/base/user_error.h"

namespace dw::model {

namespace {

constexpr double kPi = 3.14159265358979323846;
// Headings move on a grid of 2^-22 rad: every multiple of it below 4 in magnitude is a float, so a
// start heading and per-step turns on the grid make each float addition in World::step exact, and
// the world's wrap (minus 2 * float(pi), itself on the grid) too. A full turn is then exactly
// 2 * float(pi), and the walk comes back to its start heading bit for bit.
constexpr double kHeadingUnit = 1.0 / 4194304.0;
const std::int64_t kHalfTurnUnits = std::llround(static_cast<double>(static_cast<float>(kPi)) / kHeadingUnit);
// Grid headings stay below 4 in magnitude only while pi + max_turn does.
constexpr float kMaxTurnLimit = 0.8f;
// Start headings tried per spawn (grid steps either side, under 1e-3 rad): the outback legs must
// also come back to the start position exactly, which float rounding allows for most headings.
constexpr int kMaxHeadingNudges = 4096;
// Spawn poses tried per walk before the world is declared too cramped for the script.
constexpr int kMaxSpawnAttempts = 256;

// The metrics reported, generically over model::FrameMetrics: JSON key, table label, member, column.
struct MetricField {
  const char* name;
  const char* label;
  double FrameMetrics::*member;
  int width;
  int precision;
};
constexpr MetricField kFields[] = {
    {"psnr", "PSNR", &FrameMetrics::psnr, 7, 2},
    {"ssim", "SSIM", &FrameMetrics::ssim, 6, 4},
    {"mse", "MSE", &FrameMetrics::mse, 7, 5},
    {"layout_psnr", "layout PSNR", &FrameMetrics::layout_psnr, 11, 2},
    {"sharpness", "sharpness", &FrameMetrics::sharpness, 9, 3},
};

// The turn action u in [-1, 1] whose float step u * max_turn (as World::step computes it) is exactly
// `units` grid steps; none when no float u lands there.
std::optional<float> turn_action_for(std::int64_t units, float max_turn) {
  const auto target = static_cast<float>(static_cast<double>(units) * kHeadingUnit);
  float up = static_cast<float>(static_cast<double>(target) / max_turn), down = up;
  for (int i = 0; i < 64; ++i) {
    for (const float turn : {up, down}) {
      if (std::fabs(turn) <= 1.0f && turn * max_turn == target) return turn;
    }
    up = std::nextafter(up, 2.0f);
    down = std::nextafter(down, -2.0f);
  }
  return std::nullopt;
}

// `steps` turn actions whose grid steps sum to exactly `total` units: one constant action, with the
// last two steps taking up the remainder (a few 1e-6 off it at the default limit, never 1 %).
std::vector<float> exact_turn_actions(std::int64_t total, int steps, float max_turn) {
  const std::int64_t ideal = std::llround(static_cast<double>(total) / steps);
  for (std::int64_t offset = 0; offset < 64; ++offset) {
    for (const std::int64_t units : {ideal - offset, ideal + offset}) {
      const std::optional<float> turn = turn_action_for(units, max_turn);
      if (!turn) continue;
      const std::int64_t rest = total - (steps - 2) * units;
      for (std::int64_t split = 0; split < 64; ++split) {
        const std::optional<float> last = turn_action_for(rest / 2 + split, max_turn);
        const std::optional<float> before_last = turn_action_for(rest - rest / 2 - split, max_turn);
        if (!last || !before_last) continue;
        std::vector<float> turns(static_cast<size_t>(steps) - 2, *turn);
        turns.push_back(*before_last);
        turns.push_back(*last);
        return turns;
      }
    }
  }
  throw UserError("the model's per-step turn limit " + std::to_string(max_turn) +
                  " rad admits no exact float turn sequence for the revisit walks");
}

std::vector<nav::Pose> walk_world(const nav::World& world, nav::Pose pose, const std::vector<nav::Action>& actions) {
  std::vector<nav::Pose> poses;
  poses.reserve(actions.size());
  for (const nav::Action& action : actions) {
    pose = world.step(pose, action);
    poses.push_back(pose);
  }
  return poses;
}

bool is_same_pose(const nav::Pose& a, const nav::Pose& b) { return a.x == b.x && a.y == b.y && a.yaw == b.yaw; }

// True when the forward leg went its full length: no wall stopped the agent or made it slide.
bool is_leg_free(const nav::Pose& start, const std::vector<nav::Pose>& poses, const RevisitScript& script,
                 float max_forward) {
  if (script.forward_steps == 0) return true;
  const nav::Pose& out = poses[static_cast<size_t>(script.forward_steps) - 1];
  const double distance = std::hypot(out.x - start.x, out.y - start.y);
  return std::fabs(distance - script.forward_steps * static_cast<double>(max_forward)) < 1e-4;
}

// The spawn pose with its heading put on the grid and nudged along it until the world's float walk
// closes exactly; none when the way is blocked or no nudge closes.
std::optional<nav::Pose> closing_start(const nav::World& world, nav::Pose spawn, const RevisitScript& script) {
  const float max_forward = world.settings().limits.max_forward;
  const std::int64_t heading = std::llround(spawn.yaw / kHeadingUnit);
  spawn.yaw = static_cast<float>(static_cast<double>(heading) * kHeadingUnit);
  if (!is_leg_free(spawn, walk_world(world, spawn, script.actions), script, max_forward)) return std::nullopt;
  for (std::int64_t nudge = 0; nudge <= kMaxHeadingNudges; ++nudge) {
    for (const std::int64_t units : {heading + nudge, heading - nudge}) {
      nav::Pose candidate = spawn;
      candidate.yaw = static_cast<float>(static_cast<double>(units) * kHeadingUnit);
      if (candidate.yaw < -static_cast<float>(kPi) || candidate.yaw >= static_cast<float>(kPi)) continue;
      const std::vector<nav::Pose> poses = walk_world(world, candidate, script.actions);
      if (is_same_pose(poses.back(), candidate) && is_leg_free(candidate, poses, script, max_forward))
        return candidate;
    }
  }
  return std::nullopt;
}

std::vector<float> action_row(const nav::Action& action) { return {action.forward, action.strafe, action.turn}; }

}  // namespace

void check_revisit_options(const RevisitOptions& options) {
  if (options.protocol != "turn" && options.protocol != "outback") {
    throw UserError("--protocol '" + options.protocol + "' is not a revisit protocol; use turn or outback");
  }
  if (options.walks < 1) throw UserError("--walks must be at least 1, got " + std::to_string(options.walks));
  if (options.forward_steps < 1) throw UserError("the outback walk needs at least 1 forward step");
  if (options.batch < 1) throw UserError("--batch must be at least 1");
  if (options.context < 0) throw UserError("--context must be at least 1");
}

RevisitScript revisit_script(const RevisitOptions& options, const nav::ActionLimits& limits) {
  check_revisit_options(options);
  if (!(limits.max_turn > 0.0f && limits.max_turn <= kMaxTurnLimit)) {
    throw UserError("the revisit walks need a per-step turn limit in (0, " + std::to_string(kMaxTurnLimit) +
                    "] rad; the model's is " + std::to_string(limits.max_turn));
  }
  RevisitScript script;
  script.protocol = options.protocol;
  const bool is_turn = options.protocol == "turn";
  // The fewest steps the per-step limit allows, for a full turn or for each half turn.
  script.turn_steps = static_cast<int>(std::ceil((is_turn ? 2.0 : 1.0) * kPi / limits.max_turn - 1e-9));
  const std::vector<float> turns =
      exact_turn_actions((is_turn ? 2 : 1) * kHalfTurnUnits, script.turn_steps, limits.max_turn);
  script.turn = turns.front();
  std::vector<nav::Action> turn_in_place;
  for (const float turn : turns) turn_in_place.push_back({0.0f, 0.0f, turn});
  if (is_turn) {
    script.actions = turn_in_place;
    script.position_return_step = 1;  // turning in place never leaves the start position
  } else {
    script.forward_steps = options.forward_steps;
    const nav::Action forward{1.0f, 0.0f, 0.0f};
    for (int leg = 0; leg < 2; ++leg) {
      script.actions.insert(script.actions.end(), static_cast<size_t>(script.forward_steps), forward);
      if (leg == 1) script.position_return_step = static_cast<int>(script.actions.size());
      script.actions.insert(script.actions.end(), turn_in_place.begin(), turn_in_place.end());
    }
  }
  script.return_step = static_cast<int>(script.actions.size());
  return script;
}

nav::World revisit_world(const ModelInfo& info, std::uint64_t world_seed) {
  const bool is_navigation = info.schema.names == std::vector<std::string>{"forward", "strafe", "turn"} &&
                             info.schema.limits.size() == 3;
  if (!is_navigation) {
    throw UserError("--protocol needs a navigation model (actions forward, strafe, turn); this one is driven by " +
                    std::to_string(info.schema.dimension()) + " other actions");
  }
  nav::WorldSettings settings;
  // The world must move as far per step as the data the model learned from.
  settings.limits = {info.schema.limits[0], info.schema.limits[1], info.schema.limits[2]};
  return nav::World(world_seed, settings);
}

Image world_view(const nav::World& world, const nav::Pose& pose, int width, int height) {
  const int size = std::clamp(std::max(width, height), 32, 512);
  Image view = world.render_view(pose, size);
  return view.width == width && view.height == height ? view : resize_image(view, width, height);
}

std::vector<RevisitWalk> plan_revisit_walks(const nav::World& world, const RevisitScript& script,
                                            const RevisitOptions& options) {
  check_revisit_options(options);
  std::vector<RevisitWalk> walks;
  for (int w = 0; w < options.walks; ++w) {
    std::optional<nav::Pose> start;
    for (int attempt = 0; attempt < kMaxSpawnAttempts && !start; ++attempt) {
      const std::uint64_t seed = nav::mix_seed(options.spawn_seed ^ nav::mix_seed(static_cast<std::uint64_t>(w), 17),
                                               static_cast<std::uint64_t>(attempt));
      start = closing_start(world, world.spawn_pose(seed), script);
    }
    if (!start) {
      throw UserError("world seed " + std::to_string(world.seed()) + " has no start pose with room for the " +
                      script.protocol + " walk; try another --world-seed");
    }
    walks.push_back({*start, walk_world(world, *start, script.actions)});
  }
  return walks;
}

RevisitReport evaluate_revisit(Simulator& simulator, const RevisitOptions& options, const RevisitProgress& progress) {
  const nav::World world = revisit_world(simulator.info(), options.world_seed);
  const RevisitScript script = revisit_script(options, world.settings().limits);
  return evaluate_revisit_walks(simulator, world, script, plan_revisit_walks(world, script, options), options,
                                progress);
}

RevisitReport evaluate_revisit_walks(Simulator& simulator, const nav::World& world, const RevisitScript& script,
                                     const std::vector<RevisitWalk>& walks, const RevisitOptions& options,
                                     const RevisitProgress& progress) {
  check_revisit_options(options);
  const ModelInfo& info = simulator.info();
  check_context_fits(options.context, info);
  const int steps = static_cast<int>(script.actions.size());
  RevisitReport report{script, world.seed(), options.spawn_seed, static_cast<int>(walks.size()),
                       options.context > 0 ? options.context : info.context, HorizonMetrics(steps),
                       HorizonMetrics(steps), {}, {}};
  HorizonMetrics at_return(1);
  const float previous_temperature = simulator.temperature();
  simulator.set_temperature(options.temperature);
  const std::vector<std::vector<float>> still(static_cast<size_t>(report.context) - 1,
                                              std::vector<float>(static_cast<size_t>(info.schema.dimension()), 0.0f));
  for (size_t first = 0; first < walks.size(); first += static_cast<size_t>(options.batch)) {
    const size_t count = std::min(walks.size() - first, static_cast<size_t>(options.batch));
    std::vector<Image> start_views;
    for (size_t b = 0; b < count; ++b) start_views.push_back(world_view(world, walks[first + b].start, info.width, info.height));
    std::vector<std::vector<Image>> starts;
    for (const Image& view : start_views) starts.emplace_back(static_cast<size_t>(report.context), view);
    simulator.reset(starts, std::vector<std::vector<std::vector<float>>>(count, still), options.seed + first);
    for (int k = 0; k < steps; ++k) {
      const std::vector<Image> predicted = simulator.step(std::vector<std::vector<float>>(count, action_row(script.actions[k])));
      for (size_t b = 0; b < count; ++b) {
        const Image truth = world_view(world, walks[first + b].poses[static_cast<size_t>(k)], info.width, info.height);
        report.model.add(k, compare_frames(truth, predicted[b]));
        report.baseline.add(k, compare_frames(truth, start_views[b]));
        if (k + 1 == script.return_step) at_return.add(0, compare_frames(start_views[b], predicted[b]));
      }
    }
    if (progress) progress(static_cast<int>(first + count), static_cast<int>(walks.size()));
  }
  simulator.set_temperature(previous_temperature);
  report.model_at_return = at_return.mean(0);
  report.model_at_step1 = report.model.mean(0);
  return report;
}

namespace {

nlohmann::json frame_json(const FrameMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (const MetricField& field : kFields) out[field.name] = metrics.*field.member;
  return out;
}

nlohmann::json steps_json(const HorizonMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (const MetricField& field : kFields) {
    nlohmann::json values = nlohmann::json::array();
    for (int k = 0; k < metrics.horizon(); ++k) values.push_back(metrics.mean(k).*field.member);
    out[field.name] = values;
  }
  return out;
}

std::string frame_text(const FrameMetrics& metrics) {
  std::string text;
  char cell[32];
  for (const MetricField& field : kFields) {
    std::snprintf(cell, sizeof cell, " %*.*f", field.width, field.precision, metrics.*field.member);
    text += cell;
  }
  return text;
}

std::string field_header() {
  std::string text;
  char cell[32];
  for (const MetricField& field : kFields) {
    std::snprintf(cell, sizeof cell, " %*s", field.width, field.label);
    text += cell;
  }
  return text;
}

}  // namespace

std::string revisit_report_json(const RevisitReport& report) {
  const RevisitScript& script = report.script;
  const nlohmann::json out = {
      {"protocol", script.protocol},
      {"world_seed", report.world_seed},
      {"spawn_seed", report.spawn_seed},
      {"walks", report.walks},
      {"context", report.context},
      {"steps", report.model.horizon()},
      {"script",
       {{"forward_steps", script.forward_steps},
        {"turn_steps", script.turn_steps},
        {"turn", script.turn},
        {"position_return_step", script.position_return_step}}},
      {"model", steps_json(report.model)},
      {"baseline", steps_json(report.baseline)},
      {"return_point",
       {{"step", script.return_step},
        {"model_vs_start", frame_json(report.model_at_return)},
        {"model_step1", frame_json(report.model_at_step1)},
        {"psnr_drop_db", report.model_at_step1.psnr - report.model_at_return.psnr}}}};
  return out.dump(2);
}

std::string revisit_report_table(const RevisitReport& report) {
  const RevisitScript& script = report.script;
  std::string table;
  char line[256];
  std::snprintf(line, sizeof line, "revisit %s: world seed %llu, %d walks (spawn seed %llu), context %d, %d steps",
                script.protocol.c_str(), static_cast<unsigned long long>(report.world_seed), report.walks,
                static_cast<unsigned long long>(report.spawn_seed), report.context, report.model.horizon());
  table += line;
  if (script.forward_steps > 0) {
    std::snprintf(line, sizeof line, "; back at the start position (facing away) at step %d",
                  script.position_return_step);
    table += line;
  }
  std::snprintf(line, sizeof line, "; the return point (start pose) is step %d\n", script.return_step);
  table += line;
  table += " step | model" + field_header() + " | copy-last" + field_header() + " | gain dB\n";
  for (int k = 0; k < report.model.horizon(); ++k) {
    const FrameMetrics m = report.model.mean(k), b = report.baseline.mean(k);
    std::snprintf(line, sizeof line, " %4d |      ", k + 1);
    table += line + frame_text(m) + " |          " + frame_text(b);
    std::snprintf(line, sizeof line, " | %+7.2f%s\n", m.psnr - b.psnr, k + 1 == script.return_step ? "  <- return" : "");
    table += line;
  }
  std::snprintf(line, sizeof line, "return point (step %d), model vs start view:", script.return_step);
  table += line + frame_text(report.model_at_return) + "\n";
  table += "model at step 1:" + std::string(std::strlen(line) - 16, ' ') + frame_text(report.model_at_step1) + "\n";
  std::snprintf(line, sizeof line, "PSNR drop from step 1 to the return point: %.2f dB\n",
                report.model_at_step1.psnr - report.model_at_return.psnr);
  table += line;
  return table;
}

}  // namespace dw::model
