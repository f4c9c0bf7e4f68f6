// The trained world model as a simulator. Stateful step API for interactive use (reset from start
// frames, step(action) -> next frame, recurrent state kept between steps) and a batched API for
// headless rollouts. Torch-free header: the viewer and CLI include it without LibTorch headers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datasets/episode.h"
#include "nav/base/image.h"
#include "nav/base/user_error.h"

namespace dw::model {

struct ModelInfo {
  std::int64_t parameters = 0;
  int width = 0;
  int height = 0;
  int context = 4;                 // frames the model is trained to see before predicting
  data::ActionSchema schema;       // how to drive it (dimension, names, limits, keys)
  std::string config_name;
  std::string config_json;         // the full config, for display
  std::string weights_hash;        // short hash of the weights, identifies the model in saved walks
};

// UserError naming --context when `context` start frames are more than the model observes (the
// dataset evaluation and the revisit protocol take it from that flag).
inline void check_context_fits(int context, const ModelInfo& info) {
  if (context > info.context) {
    throw UserError("--context " + std::to_string(context) + ": the model observes at most " +
                    std::to_string(info.context) + " frames");
  }
}

// Opaque snapshot of the simulator's recurrent state (for rewind / fork).
class SimulatorState;

class Simulator {
 public:
  // `checkpoint`: a run folder or its model.json. device: "cpu" or "cuda". Throws UserError on a
  // missing, corrupt or mismatched checkpoint.
  static std::unique_ptr<Simulator> load(const std::filesystem::path& checkpoint,
                                         const std::string& device = "cpu");
  // A freshly initialised (untrained) model of a YAML config, e.g. to benchmark before training.
  static std::unique_ptr<Simulator> untrained(const std::filesystem::path& config,
                                              const data::ActionSchema& schema,
                                              const std::string& device = "cpu", std::uint64_t seed = 0);
  virtual ~Simulator() = default;

  virtual const ModelInfo& info() const = 0;

  // Starts `batch` = start_frames.size() trajectories. Each entry holds 1..context frames (all the
  // model's size; UserError otherwise) and, optionally, the actions between them.
  // `seed` makes sampled steps repeatable.
  virtual void reset(const std::vector<std::vector<Image>>& start_frames,
                     const std::vector<std::vector<std::vector<float>>>& start_actions,
                     std::uint64_t seed) = 0;
  // `batch` trajectories from one start (a planner's population), as reset() with `batch` copies of
  // it; at temperature 0 the rows are alike, so the start is observed once and its state repeated
  // (the frames can then differ from reset()'s in their last bits: a batch of one computes
  // differently). `start_actions` empty = none given.
  virtual void reset_repeated(const std::vector<Image>& start_frames,
                              const std::vector<std::vector<float>>& start_actions, int batch, std::uint64_t seed) {
    reset(std::vector<std::vector<Image>>(static_cast<size_t>(batch), start_frames),
          start_actions.empty() ? std::vector<std::vector<std::vector<float>>>{}
                                : std::vector<std::vector<std::vector<float>>>(static_cast<size_t>(batch), start_actions),
          seed);
  }
  // One step for every trajectory: actions[b] has schema.dimension() floats in [-1,1].
  virtual std::vector<Image> step(const std::vector<std::vector<float>>& actions) = 0;
  // A step whose frames are not wanted now: a planner that scores only the last imagined frame
  // takes H - 1 of these and then one step(), which returns what H steps would have. A model that
  // can decodes a frame only once a later one needs it, and never for a trajectory that sees a
  // recalled view first.
  virtual void advance(const std::vector<std::vector<float>>& actions) { step(actions); }

  // The frame each trajectory will show after its whole action sequence (sequences[b], all of one
  // length, from the current state; the state is left as it is) where that frame is a map view
  // known from the actions alone: a view recalled by pose and shown as seen (no place memory, no
  // recall by look, no moved views). A planner that scores the last frame need not imagine those
  // rows at all. nullopt where the model must imagine the frame (or the batch does not match).
  virtual std::vector<std::optional<Image>> recalled_after(
      const std::vector<std::vector<std::vector<float>>>& sequences) const {
    return std::vector<std::optional<Image>>(sequences.size());
  }
  // temperature 0 = deterministic (mean) rollout; 1 = sample from the prior.
  virtual void set_temperature(float temperature) = 0;
  virtual float temperature() const = 0;

  // The place memory (model/place_memory.h): on by default for navigation models; a walk that
  // returns to a pose it has been at shows the state it had there. Off = without it. A simulator
  // without one ignores the setting.
  virtual void set_place_memory(bool /*enabled*/) {}
  virtual bool place_memory() const { return false; }
  // The walls the start frames showed (model/wall_contact.h): on by default for navigation models;
  // a move into one stands still, in the model and every memory. Off = every action as asked.
  virtual void set_start_walls(bool /*enabled*/) {}
  virtual bool start_walls() const { return false; }
  // The view map (model/view_map.h, the run folder's view_map.safetensors when there is one): in
  // a world it was trained in, a walk shows the views seen nearest its pose once the model has
  // imagined a few steps on its own. On by default where the run has one; off = without it.
  virtual void set_view_map(bool /*enabled*/) {}
  virtual bool view_map() const { return false; }
  // Recall by look (model/view_recall.h): with the view map on, a walk the map could not locate
  // takes, every few imagined steps, the view that looks most like its imagined frame. On by
  // default; the planner switches it off while it imagines (a look-alike view from elsewhere is
  // no plan's outcome).
  virtual void set_recall_by_look(bool /*enabled*/) {}
  virtual bool recall_by_look() const { return false; }
  // Moved views (model/view_recall.h, correct_steps): with the view map on, a view recalled by pose
  // is shown moved by the model from where it was seen to the walk's pose. On by default; the
  // planner switches it off while it imagines (it more than doubled a replanning's time).
  virtual void set_move_views(bool /*enabled*/) {}
  virtual bool move_views() const { return false; }
  // The start room (model/start_room.h): with the view map on, a walk the map could not locate (a
  // world it does not know) sees the room its start frames showed drawn from where it stands,
  // where the sketch's walls reach, as a seen frame. On by default; off = without it.
  virtual void set_start_room(bool /*enabled*/) {}
  virtual bool start_room() const { return false; }

  virtual std::shared_ptr<const SimulatorState> save_state() const = 0;
  virtual void restore_state(const std::shared_ptr<const SimulatorState>& state) = 0;

  // Convenience for batch 1.
  void reset_single(const std::vector<Image>& start_frames, std::uint64_t seed) {
    reset({start_frames}, {}, seed);
  }
  Image step_single(const std::vector<float>& action) { return step({action}).front(); }
};

// The file in a run folder that holds its view map (`dreamwalk map-views` writes it).
inline constexpr const char* kViewMapFile = "view_map.safetensors";

using RolloutProgress = std::function<void(int step, int steps)>;

// The one headless driver: B trajectories, each reset from its start frames (and the actions
// between them; empty = none given) and stepped with actions[b][t] for T steps => frames[b][t].
// Equal to B single Simulator rollouts with the same seed.
std::vector<std::vector<Image>> rollout(Simulator& simulator,
                                        const std::vector<std::vector<Image>>& start_frames,
                                        const std::vector<std::vector<std::vector<float>>>& start_actions,
                                        const std::vector<std::vector<std::vector<float>>>& actions,
                                        std::uint64_t seed, const RolloutProgress& progress = {});

// What the commands' --no-memory, --no-view-map and --no-start-room switch, in one place: without
// memory the model runs alone (no place memory, no start walls, no view map and so no start room);
// without the view map the map and the start room are off; without the start room only it is.
void set_memories(Simulator& simulator, bool no_memory, bool no_view_map, bool no_start_room = false);

}  // namespace dw::model
