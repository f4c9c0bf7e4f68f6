// The Simulator over the world model: a thin shell over the imagination engine that turns images
// and action lists into tensors. Each trajectory draws its noise from its own stream seeded from
// (seed, b), so a batch gives exactly the samples of B single rollouts.
#include <map>

#include <nlohmann/json.hpp>

#include "model/checkpoint.h"
#include "model/config.h"
#include "model/imagination.h"
#include "model/place_memory.h"
#include "model/start_room.h"
#include "model/tensor_io.h"
#include "model/torch_simulator.h"
#include "model/view_recall.h"
#include "model/wall_contact.h"
#include "nav/base/user_error.h"

namespace dw::model {

// A step whose frames were not decoded yet (Simulator::advance): the features the decoder will
// read, and the rows that still need its frame (a row that sees a true or recalled frame later
// never does).
struct PendingFrames {
  torch::Tensor features;
  std::vector<bool> rows;
};

class SimulatorState {
 public:
  ImaginationState imagination;
  std::vector<PendingFrames> pending;
  PlaceMemory memory;
  ViewRecall views;
  WallContact walls;
  StartRoom room;
};

namespace {

class TorchSimulator final : public Simulator {
 public:
  TorchSimulator(WorldModel model, ModelInfo info, const torch::Device& device, std::shared_ptr<const ViewMap> views)
      : model_(std::move(model)),
        engine_(model_),
        info_(std::move(info)),
        device_(device),
        memory_(info_.schema),
        walls_(info_.schema),
        views_(std::move(views), info_.schema),
        room_(info_.schema) {
    model_->to(device_);
    model_->eval();
  }

  const ModelInfo& info() const override { return info_; }
  void set_temperature(float temperature) override {
    if (!(temperature >= 0.0f && temperature <= 10.0f)) throw UserError("temperature must be in [0, 10]");
    temperature_ = temperature;
  }
  float temperature() const override { return temperature_; }
  void set_place_memory(bool enabled) override {
    memory_on_ = enabled;
    memory_.set_enabled(enabled);
  }
  bool place_memory() const override { return memory_.active(); }
  void set_start_walls(bool enabled) override {
    walls_on_ = enabled;
    walls_.set_enabled(enabled);
  }
  bool start_walls() const override { return walls_.active(); }
  void set_view_map(bool enabled) override {
    views_on_ = enabled;
    views_.set_enabled(enabled);
  }
  bool view_map() const override { return views_.active(); }
  void set_recall_by_look(bool enabled) override {
    look_on_ = enabled;
    views_.set_look(enabled);
  }
  bool recall_by_look() const override { return look_on_; }
  void set_move_views(bool enabled) override {
    move_on_ = enabled;
    views_.set_move_views(enabled);
  }
  bool move_views() const override { return move_on_; }
  void set_start_room(bool enabled) override {
    room_on_ = enabled;
    room_.set_enabled(enabled);
  }
  bool start_room() const override { return room_.active() && views_.active(); }

  void reset(const std::vector<std::vector<Image>>& start_frames,
             const std::vector<std::vector<std::vector<float>>>& start_actions,
             std::uint64_t seed) override {
    observe_starts(start_frames, start_actions, static_cast<int64_t>(start_frames.size()), seed);
  }

  void reset_repeated(const std::vector<Image>& start_frames, const std::vector<std::vector<float>>& start_actions,
                      int batch, std::uint64_t seed) override {
    if (batch < 1) throw UserError("reset: a batch of at least one trajectory is needed");
    if (temperature_ != 0.0f) {  // each row draws its own noise while it observes
      Simulator::reset_repeated(start_frames, start_actions, batch, seed);
      return;
    }
    std::vector<std::vector<std::vector<float>>> actions;
    if (!start_actions.empty()) actions.push_back(start_actions);
    observe_starts({start_frames}, actions, batch, seed);
  }

  std::vector<Image> step(const std::vector<std::vector<float>>& asked) override {
    torch::NoGradGuard no_grad;
    advance(asked);
    decode_pending();
    return tensor_to_images(state_.last_frame);
  }

  void advance(const std::vector<std::vector<float>>& asked) override {
    torch::NoGradGuard no_grad;
    model_->eval();
    if (state_.observed == 0) throw UserError("Simulator::step called before reset");
    const auto batch = static_cast<int64_t>(state_.noise.size());
    if (static_cast<int64_t>(asked.size()) != batch) {
      throw UserError("step: " + std::to_string(asked.size()) + " actions for " + std::to_string(batch) +
                      " trajectories");
    }
    // The model and the memories all see what each action does: a wall the start frames showed
    // takes out a move into it (model/wall_contact.h).
    const std::vector<std::vector<float>> actions = walls_.apply(asked);
    // The place memory keeps every step's frame, and an unlocated walk looks for a view like its
    // frame, so with either (or a decoder that draws noise, whose streams must advance in step
    // order) every frame is decoded at once.
    const bool defer = engine_.decoder_is_deterministic() && !memory_.active() && !views_.looks();
    if (!defer) decode_pending();
    const ImaginationState before = state_;  // the engine never writes a state's tensors in place
    const torch::Tensor action_tensor = actions_to_tensor(actions, info_.schema.dimension(), device_);
    // Where each row goes follows from the actions alone, so which rows the place memory answers
    // for and which see a map view is known before the step: the rows that see a view take its
    // posterior in the same batched step in which the others imagine.
    memory_.move(actions);
    views_.move(actions);
    room_.move(actions);
    const std::vector<bool> remembered = memory_.remembered();
    std::vector<int> chosen = views_.choose(remembered);
    const SeenViews seen = seen_views(chosen);
    // Also imagined where the memory answers: every row's noise stream advances as in a single
    // rollout, so a batch still equals B single runs.
    const torch::Tensor features =
        engine_.imagine_or_observe(state_, action_tensor, temperature_, seen.rows, seen.frames, seen.embeddings);
    forget_pending(seen.rows);
    std::vector<bool> imagined(static_cast<size_t>(batch), true);
    for (size_t b = 0; b < imagined.size(); ++b) imagined[b] = chosen[b] < 0 && !remembered[b];
    pending_.push_back({features, imagined});
    if (!defer) decode_pending();
    move_views_to_poses(chosen);
    memory_.recall(state_);
    // Recall by look reads the imagined frames, so the rows it chooses see their views afterwards.
    std::vector<int> looked = chosen;
    views_.choose_by_look(looked, remembered, [this](std::int64_t b) {
      return tensor_to_images(state_.last_frame.narrow(0, b, 1)).front();
    });
    for (size_t b = 0; b < looked.size(); ++b) {
      if (chosen[b] >= 0) looked[b] = -1;
    }
    observe_views(before, action_tensor, looked);
    observe_start_rooms(before, action_tensor, remembered);
    memory_.remember(state_, /*replace=*/false);
  }

  // advance()'s choice of views replayed on copies of the view recall and the start walls: with
  // the place memory, looks and moved views off nothing else decides which view a row shows.
  std::vector<std::optional<Image>> recalled_after(
      const std::vector<std::vector<std::vector<float>>>& sequences) const override {
    std::vector<std::optional<Image>> shown(sequences.size());
    const size_t batch = state_.noise.size();
    if (sequences.empty() || sequences.size() != batch || !views_.active() || memory_.active() || views_.looks()) {
      return shown;
    }
    for (size_t b = 0; b < batch; ++b) {
      if (draws_start_room(static_cast<std::int64_t>(b))) return shown;  // the sketch decides too
    }
    const size_t steps = sequences.front().size();
    for (const auto& sequence : sequences) {
      if (sequence.size() != steps) throw UserError("recalled_after: action sequences of different lengths");
    }
    ViewRecall views = views_;
    WallContact walls = walls_;
    const std::vector<bool> busy(batch, false);
    std::vector<int> chosen(batch, -1);
    std::vector<std::vector<float>> actions(batch);
    for (size_t t = 0; t < steps; ++t) {
      for (size_t b = 0; b < batch; ++b) actions[b] = sequences[b][t];
      views.move(walls.apply(actions));
      chosen = views.choose(busy);
    }
    for (size_t b = 0; b < batch; ++b) {
      if (chosen[b] >= 0 && views.correction(static_cast<std::int64_t>(b), chosen[b]).empty()) {
        shown[b] = views.map().frame(chosen[b]);
      }
    }
    return shown;
  }

  std::shared_ptr<const SimulatorState> save_state() const override {
    auto copy = std::make_shared<SimulatorState>();
    copy->imagination = state_.clone();
    copy->pending = pending_;  // the features are never written in place: sharing is safe
    copy->memory = memory_;  // the remembered tensors are never written in place: sharing is safe
    copy->views = views_;    // the map itself is shared and never changes
    copy->walls = walls_;
    copy->room = room_;  // the sketches are shared and never change
    return copy;
  }

  void restore_state(const std::shared_ptr<const SimulatorState>& state) override {
    if (!state) throw UserError("restore_state: no state given");
    state_ = state->imagination.clone();
    pending_ = state->pending;
    memory_ = state->memory;
    memory_.set_enabled(memory_on_);  // a setting of the simulator, not part of the saved walk
    walls_ = state->walls;
    walls_.set_enabled(walls_on_);
    views_ = state->views;
    views_.set_enabled(views_on_);
    views_.set_look(look_on_);
    views_.set_move_views(move_on_);
    room_ = state->room;
    room_.set_enabled(room_on_);
  }

 private:
  // The rows with a chosen view (views[b] >= 0), the view's frames and the encoder's output for them.
  struct SeenViews {
    std::vector<std::int64_t> rows;
    torch::Tensor frames;
    torch::Tensor embeddings;
  };
  SeenViews seen_views(const std::vector<int>& views) {
    SeenViews seen;
    std::vector<int> chosen;
    std::vector<Image> frames;
    for (std::size_t b = 0; b < views.size(); ++b) {
      if (views[b] < 0) continue;
      seen.rows.push_back(static_cast<std::int64_t>(b));
      chosen.push_back(views[b]);
      frames.push_back(views_.map().frame(views[b]));
    }
    if (seen.rows.empty()) return seen;
    seen.frames = images_to_tensor(frames, device_);
    seen.embeddings = view_embeddings(chosen);
    return seen;
  }

  // Rows that see a true or recalled frame never show what they imagined before it: nothing
  // pending is decoded for them.
  void forget_pending(const std::vector<std::int64_t>& rows) {
    for (PendingFrames& step : pending_) {
      for (const std::int64_t b : rows) step.rows[static_cast<size_t>(b)] = false;
    }
  }

  // The rows that took a view by pose see it moved from where it was seen to where they stand
  // (ViewRecall::correction): imagined steps from the view, each batched over the rows that take it.
  // Their earlier frames are never shown, so they need no pending frame decoded first.
  void move_views_to_poses(const std::vector<int>& chosen) {
    std::vector<std::vector<std::vector<float>>> paths(chosen.size());
    size_t longest = 0;
    for (size_t b = 0; b < chosen.size(); ++b) {
      if (chosen[b] < 0) continue;
      paths[b] = views_.correction(static_cast<std::int64_t>(b), chosen[b]);
      longest = std::max(longest, paths[b].size());
    }
    for (size_t step = 0; step < longest; ++step) {
      std::vector<std::int64_t> rows;
      std::vector<std::vector<float>> actions;
      for (size_t b = 0; b < paths.size(); ++b) {
        if (paths[b].size() <= step) continue;
        rows.push_back(static_cast<std::int64_t>(b));
        actions.push_back(paths[b][step]);
      }
      ImaginationState part = select_rows(state_, rows);
      const torch::Tensor features =
          engine_.imagine_latent(part, actions_to_tensor(actions, info_.schema.dimension(), device_), temperature_);
      engine_.decode(part, features);
      replace_rows(state_, rows, part);
    }
  }

  // The rows with a chosen view see it as a true frame after this step's action, from their state
  // before the step, in place of what they imagined (one batched pass for all of them).
  void observe_views(const ImaginationState& before, const torch::Tensor& actions, const std::vector<int>& views) {
    const SeenViews seen = seen_views(views);
    if (seen.rows.empty()) return;
    forget_pending(seen.rows);
    ImaginationState recalled = select_rows(before, seen.rows);
    engine_.observe(recalled, seen.frames, actions.index_select(0, row_index(seen.rows, device_)), temperature_,
                    /*reconstruct=*/false, seen.embeddings);
    replace_rows(state_, seen.rows, recalled);
  }

  // Whether row b's start room is drawn: it has a sketch, and the view map (on) did not locate it
  // by its start frames.
  bool draws_start_room(std::int64_t b) const {
    return room_.active() && views_.active() && room_.sketched(b) && (!views_.located(b) || views_.placed_by_look(b));
  }

  // The rows in a world the view map does not know (not located by their start frames) see their
  // start room drawn from where they stand (model/start_room.h) over the frame they show, where
  // its walls reach: seen as a true frame after this step's action, from their state before the
  // step. Only with a view map: a map of the navigation world's views says the model was trained
  // on that world's frames, whose camera the sketch inverts.
  void observe_start_rooms(const ImaginationState& before, const torch::Tensor& actions,
                           const std::vector<bool>& remembered) {
    std::vector<std::int64_t> rows;
    for (size_t b = 0; b < remembered.size(); ++b) {
      const auto row = static_cast<std::int64_t>(b);
      if (!remembered[b] && draws_start_room(row)) rows.push_back(row);
    }
    if (rows.empty()) return;
    decode_pending();
    std::vector<std::int64_t> drawn_rows;
    std::vector<Image> frames;
    for (const std::int64_t b : rows) {
      Image frame = tensor_to_images(state_.last_frame.narrow(0, b, 1)).front();
      if (room_.draw(b, frame) == 0.0) continue;
      drawn_rows.push_back(b);
      frames.push_back(std::move(frame));
    }
    if (drawn_rows.empty()) return;
    ImaginationState drawn = select_rows(before, drawn_rows);
    engine_.observe(drawn, images_to_tensor(frames, device_), actions.index_select(0, row_index(drawn_rows, device_)),
                    temperature_);
    replace_rows(state_, drawn_rows, drawn);
  }

  // The encoder's output for map views, each computed once, alone (so it does not depend on which
  // other rows recalled with it), and kept: a planner recalls the same views over and over. The
  // cache starts again when full (16 KB a view for the shipped model; a long walk through a big
  // map would otherwise keep them all).
  torch::Tensor view_embeddings(const std::vector<int>& views) {
    constexpr std::size_t kCachedViews = 4096;
    std::vector<torch::Tensor> rows;
    for (const int view : views) {
      auto found = view_embeddings_.find(view);
      if (found == view_embeddings_.end()) {
        if (view_embeddings_.size() >= kCachedViews) view_embeddings_.clear();
        const torch::Tensor frame = images_to_tensor({views_.map().frame(view)}, device_);
        found = view_embeddings_.emplace(view, model_->encoder()->forward(frame)).first;
      }
      rows.push_back(found->second);
    }
    return torch::cat(rows);
  }

  // Decodes the frames advance() left pending, step by step in order (each reads the one before),
  // each step for the rows that still need it only.
  void decode_pending() {
    for (const PendingFrames& step : pending_) {
      std::vector<std::int64_t> rows;
      for (size_t b = 0; b < step.rows.size(); ++b) {
        if (step.rows[b]) rows.push_back(static_cast<std::int64_t>(b));
      }
      if (rows.size() == step.rows.size()) {
        engine_.decode(state_, step.features);
        continue;
      }
      if (rows.empty()) continue;
      ImaginationState part = select_rows(state_, rows);
      engine_.decode(part, step.features.index_select(0, row_index(rows, device_)));
      replace_rows(state_, rows, part);
    }
    pending_.clear();
  }

  // Starts `batch` trajectories from start_frames (and start_actions: empty, or one list per
  // start): one start per trajectory, or a single start observed once and repeated over the batch.
  void observe_starts(const std::vector<std::vector<Image>>& start_frames,
                      const std::vector<std::vector<std::vector<float>>>& asked, int64_t batch,
                      std::uint64_t seed) {
    torch::NoGradGuard no_grad;
    model_->eval();
    const int count = check_starts(start_frames, asked);
    // The actions as they happened: where two start frames are the same, nothing moved.
    const std::vector<std::vector<std::vector<float>>> start_actions = walls_.start(start_frames, asked, batch);
    const auto starts = static_cast<int64_t>(start_frames.size());
    state_ = engine_.start(batch, seed, device_);
    pending_.clear();
    memory_.start(batch);
    ImaginationState observing = starts == batch ? state_ : engine_.start(starts, seed, device_);
    for (int t = 0; t < count; ++t) {
      std::vector<Image> frames;
      for (const auto& frames_of_start : start_frames) frames.push_back(frames_of_start[t]);
      torch::Tensor action;
      if (t > 0) {
        std::vector<std::vector<float>> rows = start_action_rows(start_actions, t - 1, starts);
        action = actions_to_tensor(rows, info_.schema.dimension(), device_);
        if (starts != batch) rows.assign(static_cast<size_t>(batch), rows.front());
        memory_.move(rows);
      }
      engine_.observe(observing, images_to_tensor(frames, device_), action, temperature_);
      state_ = starts == batch ? observing : repeat_row(observing, std::move(state_.noise));
      memory_.remember(state_, /*replace=*/true);  // a true frame: what this place looks like
    }
    std::vector<std::vector<Image>> all_frames = start_frames;
    std::vector<std::vector<std::vector<float>>> all_actions = start_actions;
    if (starts != batch) {
      all_frames.assign(static_cast<size_t>(batch), start_frames.front());
      if (!start_actions.empty()) all_actions.assign(static_cast<size_t>(batch), start_actions.front());
    }
    views_.locate(all_frames, all_actions);
    room_.start(all_frames, all_actions);
  }

  // Every trajectory gets the same number of start frames (1..context) of the model's size.
  int check_starts(const std::vector<std::vector<Image>>& starts,
                   const std::vector<std::vector<std::vector<float>>>& actions) const {
    if (starts.empty()) throw UserError("reset: no start frames given");
    const size_t count = starts.front().size();
    if (count < 1 || count > static_cast<size_t>(info_.context)) {
      throw UserError("reset: give 1.." + std::to_string(info_.context) + " start frames per trajectory");
    }
    for (const auto& frames : starts) {
      if (frames.size() != count) throw UserError("reset: trajectories differ in their number of start frames");
      for (const auto& frame : frames) {
        if (frame.width != info_.width || frame.height != info_.height) {
          throw UserError("reset: start frames are " + std::to_string(frame.width) + "x" +
                          std::to_string(frame.height) + ", the model needs " + std::to_string(info_.width) +
                          "x" + std::to_string(info_.height));
        }
      }
    }
    if (!actions.empty()) {
      if (actions.size() != starts.size()) throw UserError("reset: start actions given for some trajectories only");
      for (const auto& sequence : actions) {
        if (sequence.size() != count - 1) {
          throw UserError(std::to_string(count) + " start frames need " + std::to_string(count - 1) +
                          " actions between them (one per gap), but " + std::to_string(sequence.size()) +
                          " were given");
        }
      }
    }
    return static_cast<int>(count);
  }

  // The actions between start frames t and t+1, one row per trajectory (zeros when none were given).
  std::vector<std::vector<float>> start_action_rows(const std::vector<std::vector<std::vector<float>>>& actions,
                                                    int t, int64_t batch) const {
    if (actions.empty()) {
      return std::vector<std::vector<float>>(static_cast<size_t>(batch),
                                             std::vector<float>(static_cast<size_t>(info_.schema.dimension()), 0.0f));
    }
    std::vector<std::vector<float>> rows;
    for (const auto& sequence : actions) rows.push_back(sequence[t]);
    return rows;
  }

  WorldModel model_;
  Imagination engine_;
  ModelInfo info_;
  torch::Device device_;
  float temperature_ = 0.0f;
  ImaginationState state_;
  std::vector<PendingFrames> pending_;
  std::map<int, torch::Tensor> view_embeddings_;
  PlaceMemory memory_;
  bool memory_on_ = true;
  WallContact walls_;  // declared before views_: the constructor's list follows this order
  bool walls_on_ = true;
  ViewRecall views_;
  bool views_on_ = true;
  bool look_on_ = true;
  bool move_on_ = true;
  StartRoom room_;
  bool room_on_ = true;
};

ModelInfo info_from(const CheckpointMeta& meta, WorldModel& model) {
  ModelInfo info;
  info.parameters = parameter_count(*model);
  info.width = meta.config.model.width;
  info.height = meta.config.model.height;
  info.context = meta.config.model.context;
  info.schema = meta.schema;
  info.config_name = meta.config.name;
  info.config_json = nlohmann::json(meta.config).dump();
  info.weights_hash = hash_weights(model);
  return info;
}

}  // namespace

void set_memories(Simulator& simulator, bool no_memory, bool no_view_map, bool no_start_room) {
  simulator.set_place_memory(!no_memory);
  simulator.set_start_walls(!no_memory);
  simulator.set_view_map(!no_memory && !no_view_map);
  simulator.set_start_room(!no_start_room);
}

torch::Device choose_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available()) {
      throw UserError("--device cuda: CUDA is not available (this LibTorch is CPU-only or no GPU is visible)");
    }
    return torch::kCUDA;
  }
  throw UserError("--device: '" + name + "' is not one of cpu, cuda");
}

std::unique_ptr<Simulator> make_simulator(WorldModel model, ModelInfo info, const torch::Device& device,
                                          std::shared_ptr<const ViewMap> views) {
  return std::make_unique<TorchSimulator>(std::move(model), std::move(info), device, std::move(views));
}

std::unique_ptr<Simulator> Simulator::load(const std::filesystem::path& checkpoint, const std::string& device) {
  const torch::Device chosen = choose_device(device);
  const CheckpointFiles files = read_checkpoint_meta(resolve_run_dir(checkpoint));
  try {
    WorldModel model = load_weights(files, chosen);
    ModelInfo info = info_from(files.meta, model);
    std::shared_ptr<const ViewMap> views;
    const std::filesystem::path view_file = files.dir / kViewMapFile;
    if (std::filesystem::exists(view_file)) {
      auto map = std::make_shared<ViewMap>(ViewMap::load(view_file));
      check_view_map_size(*map, info.width, info.height, view_file);
      views = std::move(map);
    }
    return make_simulator(std::move(model), std::move(info), chosen, std::move(views));
  } catch (const c10::Error& e) {
    throw UserError((files.dir / "model.safetensors").string() + ": cannot be loaded (" + e.what_without_backtrace() + ")");
  }
}

std::unique_ptr<Simulator> Simulator::untrained(const std::filesystem::path& config_path,
                                                const data::ActionSchema& schema,
                                                const std::string& device, std::uint64_t seed) {
  const torch::Device chosen = choose_device(device);
  CheckpointMeta meta;
  meta.config = load_config(config_path);
  meta.schema = schema;
  torch::manual_seed(seed);
  WorldModel model(meta.config.model, schema.dimension());
  ModelInfo info = info_from(meta, model);
  return make_simulator(std::move(model), std::move(info), chosen);
}

}  // namespace dw::model
