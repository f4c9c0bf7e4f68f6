#include "model/plan_model.h"

#include <cassert>
#include <algorithm>
#include <cmath>
#include <map>

#include "model/metrics.h"
#include "model/revisit.h"
#include "nav/base/user_error.h"

namespace dw::model {

namespace {

bool same_context(const PlanContext& a, const PlanContext& b) {
  if (a.frames.size() != b.frames.size() || a.actions != b.actions) return false;
  for (size_t i = 0; i < a.frames.size(); ++i) {
    if (a.frames[i].pixels != b.frames[i].pixels) return false;
  }
  return true;
}

// The learned model. Each replanning observes its context once for the whole population and keeps
// that state, so the K iterations of one replanning only pay for the imagined steps. It imagines
// without the place memory: a candidate's few steps seldom come back within 0.02 cells of where
// they have been, and without it a cost of the last frame needs only the frames after each
// candidate's last recalled view decoded (Simulator::advance), and none at all of a candidate that
// ends on a recalled view (Simulator::recalled_after): such a candidate is not imagined.
class SimulatorPlanningModel final : public PlanningModel {
  // The simulator's place memory, recall by look and moved views off while it lives, then as they
  // were (also when a step throws).
  class RecallsOff {
   public:
    explicit RecallsOff(Simulator& simulator)
        : simulator_(simulator),
          memory_was_on_(simulator.place_memory()),
          look_was_on_(simulator.recall_by_look()),
          move_was_on_(simulator.move_views()) {
      simulator_.set_place_memory(false);
      simulator_.set_recall_by_look(false);
      simulator_.set_move_views(false);
    }
    ~RecallsOff() {
      simulator_.set_place_memory(memory_was_on_);
      simulator_.set_recall_by_look(look_was_on_);
      simulator_.set_move_views(move_was_on_);
    }
    RecallsOff(const RecallsOff&) = delete;
    RecallsOff& operator=(const RecallsOff&) = delete;

   private:
    Simulator& simulator_;
    bool memory_was_on_;
    bool look_was_on_;
    bool move_was_on_;
  };

 public:
  SimulatorPlanningModel(Simulator& simulator, std::uint64_t seed) : simulator_(simulator), seed_(seed) {}
  int action_dimension() const override { return simulator_.info().schema.dimension(); }
  int context() const override { return simulator_.info().context; }
  int width() const override { return simulator_.info().width; }
  int height() const override { return simulator_.info().height; }

  std::vector<std::vector<Image>> imagine(const PlanContext& context, const std::vector<ActionSequence>& sequences,
                                          ImaginedFrames which) override {
    const RecallsOff recalls_off(simulator_);
    if (observed_.empty() || !same_context(context, observed_context_)) {
      observed_.clear();
      observed_context_ = context;
    }
    if (which == ImaginedFrames::every || sequences.empty()) return imagine_rows(context, sequences, which);
    // Rows whose last frame will be a map view recalled by pose show that view whatever the model
    // imagines on the way: only the others are imagined (about half of a population in a world
    // the map knows).
    start(context, sequences.size());
    const std::vector<std::optional<Image>> recalled = simulator_.recalled_after(sequences);
    std::vector<ActionSequence> imagined;
    for (size_t n = 0; n < sequences.size(); ++n) {
      if (!recalled[n]) imagined.push_back(sequences[n]);
    }
    std::vector<std::vector<Image>> imagined_frames = imagine_rows(context, imagined, which);
    std::vector<std::vector<Image>> frames(sequences.size());
    for (size_t n = 0, i = 0; n < sequences.size(); ++n) {
      frames[n] = recalled[n] ? std::vector<Image>{*recalled[n]} : std::move(imagined_frames[i++]);
    }
    return frames;
  }

 private:
  // The simulator at the context's state for `batch` rows, observed once per batch size (with
  // kept elites the first iteration imagines N candidates and the others N - E).
  void start(const PlanContext& context, size_t batch) {
    auto found = observed_.find(batch);
    if (found == observed_.end()) {
      simulator_.reset_repeated(context.frames, context.actions, static_cast<int>(batch), seed_);
      observed_.emplace(batch, simulator_.save_state());
    } else {
      simulator_.restore_state(found->second);
    }
  }

  std::vector<std::vector<Image>> imagine_rows(const PlanContext& context, const std::vector<ActionSequence>& sequences,
                                               ImaginedFrames which) {
    const size_t batch = sequences.size();
    std::vector<std::vector<Image>> frames(batch);
    if (batch == 0) return frames;
    start(context, batch);
    const size_t steps = sequences.front().size();
    std::vector<std::vector<float>> step_actions(batch);
    for (size_t t = 0; t < steps; ++t) {
      for (size_t n = 0; n < batch; ++n) step_actions[n] = sequences[n][t];
      if (which == ImaginedFrames::last && t + 1 < steps) {
        simulator_.advance(step_actions);
        continue;
      }
      std::vector<Image> next = simulator_.step(step_actions);
      for (size_t n = 0; n < batch; ++n) frames[n].push_back(std::move(next[n]));
    }
    return frames;
  }

  Simulator& simulator_;
  std::uint64_t seed_;
  std::map<size_t, std::shared_ptr<const SimulatorState>> observed_;  // by batch size
  PlanContext observed_context_;
};

class WorldPlanningModel final : public PlanningModel {
 public:
  WorldPlanningModel(nav::World world, int width, int height, int context)
      : world_(std::move(world)), width_(width), height_(height), context_(context) {}
  int action_dimension() const override { return 3; }
  int context() const override { return context_; }
  int width() const override { return width_; }
  int height() const override { return height_; }

  std::vector<std::vector<Image>> imagine(const PlanContext& context, const std::vector<ActionSequence>& sequences,
                                          ImaginedFrames which) override {
    assert(context.pose && "the world-as-model needs the true pose");
    std::vector<std::vector<Image>> frames(sequences.size());
    for (size_t n = 0; n < sequences.size(); ++n) {
      nav::Pose pose = *context.pose;
      for (size_t t = 0; t < sequences[n].size(); ++t) {
        const auto& action = sequences[n][t];
        pose = world_.step(pose, {action[0], action[1], action[2]});
        if (which == ImaginedFrames::every || t + 1 == sequences[n].size()) {
          frames[n].push_back(world_view(world_, pose, width_, height_));
        }
      }
    }
    return frames;
  }

 private:
  nav::World world_;
  int width_, height_, context_;
};

class PixelSpace final : public FrameSpace {
 public:
  std::string name() const override { return "pixels"; }
  std::vector<Features> embed(const std::vector<Image>& frames) override {
    std::vector<Features> features;
    for (const Image& frame : frames) {
      Features values(frame.pixels.size());
      for (size_t i = 0; i < values.size(); ++i) values[i] = frame.pixels[i] / 255.0f;
      features.push_back(std::move(values));
    }
    return features;
  }
};

// The frame area-averaged to kLayoutCells x kLayoutCells (the cells of layout PSNR): which walls
// and colours are where, without the texture that makes the full-resolution distance jump with
// every half-cell step.
class LayoutSpace final : public FrameSpace {
 public:
  std::string name() const override { return "layout"; }
  std::vector<Features> embed(const std::vector<Image>& frames) override {
    std::vector<Features> features;
    for (const Image& frame : frames) {
      Features cells(static_cast<size_t>(kLayoutCells * kLayoutCells * 3), 0.0f);
      std::vector<int> counts(static_cast<size_t>(kLayoutCells * kLayoutCells), 0);
      for (int y = 0; y < frame.height; ++y) {
        for (int x = 0; x < frame.width; ++x) {
          const int cell = (y * kLayoutCells / frame.height) * kLayoutCells + x * kLayoutCells / frame.width;
          const std::uint8_t* pixel = frame.at(x, y);
          for (int c = 0; c < 3; ++c) cells[static_cast<size_t>(cell * 3 + c)] += pixel[c] / 255.0f;
          ++counts[static_cast<size_t>(cell)];
        }
      }
      for (size_t i = 0; i < cells.size(); ++i) cells[i] /= static_cast<float>(std::max(1, counts[i / 3]));
      features.push_back(std::move(cells));
    }
    return features;
  }
};

}  // namespace

void check_cost_space(const std::string& name) {
  if (name != "embedding" && name != "pixels" && name != "layout") {
    throw UserError("--cost-space: '" + name + "' is not one of embedding, pixels, layout");
  }
}

std::unique_ptr<FrameSpace> layout_space() { return std::make_unique<LayoutSpace>(); }

std::unique_ptr<PlanningModel> simulator_planning_model(Simulator& simulator, std::uint64_t seed) {
  return std::make_unique<SimulatorPlanningModel>(simulator, seed);
}

std::unique_ptr<PlanningModel> world_planning_model(nav::World world, int width, int height, int context) {
  return std::make_unique<WorldPlanningModel>(std::move(world), width, height, context);
}

std::unique_ptr<FrameSpace> pixel_space() { return std::make_unique<PixelSpace>(); }

ImaginedCost::ImaginedCost(PlanningModel& model, FrameSpace& space, CandidateCost cost, bool all_frames)
    : model_(model), space_(space), cost_(std::move(cost)), all_frames_(all_frames) {
  reset_best();
}

void ImaginedCost::reset_best() {
  best_cost_ = INFINITY;
  best_sequence_.clear();
  best_frames_.clear();
}

const std::vector<Image>& ImaginedCost::best_frames() {
  if (best_frames_.empty() && !best_sequence_.empty()) {
    best_frames_ = model_.imagine(best_context_, {best_sequence_}, ImaginedFrames::every).front();
  }
  return best_frames_;
}

std::vector<double> ImaginedCost::operator()(const PlanContext& context, const std::vector<ActionSequence>& population) {
  const std::vector<std::vector<Image>> imagined =
      model_.imagine(context, population, all_frames_ ? ImaginedFrames::every : ImaginedFrames::last);
  // One embedding call for the whole population keeps the encoder batched too.
  std::vector<Image> flat;
  for (const auto& frames : imagined) {
    if (all_frames_) flat.insert(flat.end(), frames.begin(), frames.end());
    else flat.push_back(frames.back());
  }
  const std::vector<Features> features = space_.embed(flat);
  const size_t per_candidate = features.size() / population.size();
  std::vector<double> costs;
  for (size_t n = 0; n < population.size(); ++n) {
    const std::vector<Features> own(features.begin() + static_cast<std::ptrdiff_t>(n * per_candidate),
                                    features.begin() + static_cast<std::ptrdiff_t>((n + 1) * per_candidate));
    costs.push_back(cost_(population[n], own));
    if (costs.back() < best_cost_) {
      best_cost_ = costs.back();
      best_context_ = context;
      best_sequence_ = population[n];
      // A model that imagined every frame anyway need not imagine them again to show them.
      best_frames_ = imagined[n].size() == population[n].size() ? imagined[n] : std::vector<Image>{};
    }
  }
  return costs;
}

}  // namespace dw::model
