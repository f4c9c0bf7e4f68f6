// The revisit protocol (DESIGN.md "Revisit"): scripted walks in the ground-truth world that come
// back to where they started, so at the return point the truth is the view the model saw first and
// a model with memory shows the same place again. Torch-free: it drives any model::Simulator.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/metrics.h"
#include "model/simulator.h"
#include "nav/base/image.h"
#include "nav/pose.h"
#include "nav/world.h"

namespace dw::model {

// The scripts, for a world whose per-step limits are max_turn (radians) and max_forward:
//   turn:    n = ceil(2*pi / max_turn) steps of turn u ~= 2*pi / (n * max_turn) (|u| <= 1), so the
//            heading comes round exactly once. Return point: step n.
//   outback: K steps forward (action 1), m = ceil(pi / max_turn) steps of turn u ~= pi / (m *
//            max_turn), K steps forward back to the start position (step 2K + m, facing the other
//            way), the same m turn steps again so it faces the start heading. Return point: step
//            2(K + m). The start pose is one whose forward leg no wall blocks (checked by stepping
//            the world), so both legs are straight.
// u is constant except on the last two steps of each turn, which absorb the float remainder so the
// world's float heading closes bit for bit (see revisit.cpp); the start heading sits on the same
// 2^-22 rad grid. Every walk starts with the model observing `context` copies of the start view
// (standing still, zero actions between them); then both are stepped with the script's actions.
struct RevisitScript {
  std::string protocol;
  std::vector<nav::Action> actions;  // one per step
  int forward_steps = 0;             // K (outback only)
  int turn_steps = 0;                // per full turn (turn) or per half turn (outback)
  float turn = 0.0f;                 // the constant turn action u
  int position_return_step = 0;      // 1-based: first step back at the start position
  int return_step = 0;               // 1-based: back at the start pose
};

struct RevisitOptions {
  std::string protocol;           // "turn" or "outback"
  std::uint64_t world_seed = 1;   // the ground-truth world
  int walks = 16;                 // spawn poses, each walked once
  std::uint64_t spawn_seed = 0;   // chooses the spawn poses
  int context = 0;                // frames the model observes first; 0 = the model's own context
  int forward_steps = 8;          // K of outback
  int batch = 32;                 // walks per forward pass
  float temperature = 0.0f;       // 0 = the mean prediction
  std::uint64_t seed = 0;         // for sampled predictions
};

// One walk through the world: where it starts and where the world's kinematics take it. The views
// are rendered batch by batch (world_view), so long walks from many starts need little memory.
struct RevisitWalk {
  nav::Pose start;
  std::vector<nav::Pose> poses;  // after each scripted step
};

struct RevisitReport {
  RevisitScript script;
  std::uint64_t world_seed = 0;
  std::uint64_t spawn_seed = 0;
  int walks = 0;
  int context = 0;
  HorizonMetrics model;            // per step, model vs truth
  HorizonMetrics baseline;         // per step, copy-last-context-frame vs truth
  FrameMetrics model_at_return;    // model's return-point frame vs the start view, mean over walks
  FrameMetrics model_at_step1;     // the model's own step-1 figures (model.mean(0))
};

// Throws UserError for an unknown protocol, walks < 1, forward_steps < 1, batch < 1 or context < 0.
void check_revisit_options(const RevisitOptions& options);
// The script of `options.protocol` under `limits`. UserError as check_revisit_options.
RevisitScript revisit_script(const RevisitOptions& options, const nav::ActionLimits& limits);

// The world a navigation model is judged in: its per-step limits are the model's (as in its data).
// UserError when the model is not driven by forward, strafe, turn.
nav::World revisit_world(const ModelInfo& info, std::uint64_t world_seed);
// The world's view at `pose`, at width x height (rendered square, resized when needed).
Image world_view(const nav::World& world, const nav::Pose& pose, int width, int height);

// `options.walks` seeded starts, each walked through `script` in `world` with the world's own
// kinematics; every walk comes back to its start pose exactly (bit for bit), so the truth view at the
// return point equals the start view byte for byte. Same options => same walks. UserError when the
// world has no start whose walk is free and closes.
std::vector<RevisitWalk> plan_revisit_walks(const nav::World& world, const RevisitScript& script,
                                            const RevisitOptions& options);

using RevisitProgress = std::function<void(int walks_done, int walks_total)>;

// Plans the walks in the model's world and runs the model open-loop through them.
RevisitReport evaluate_revisit(Simulator& simulator, const RevisitOptions& options,
                               const RevisitProgress& progress = {});
// Same, in a given world with given walks (tests drive a fake simulator through it).
RevisitReport evaluate_revisit_walks(Simulator& simulator, const nav::World& world, const RevisitScript& script,
                                     const std::vector<RevisitWalk>& walks, const RevisitOptions& options,
                                     const RevisitProgress& progress = {});

// {"protocol","world_seed","spawn_seed","walks","context","steps","script":{..},
//  "model":{"psnr":[..],"ssim":[..],"mse":[..],"layout_psnr":[..],"sharpness":[..]},"baseline":{..},
//  "return_point":{"step","model_vs_start":{..},"model_step1":{..},"psnr_drop_db"}}
std::string revisit_report_json(const RevisitReport& report);
// One row per step, then the return-point summary.
std::string revisit_report_table(const RevisitReport& report);

}  // namespace dw::model
