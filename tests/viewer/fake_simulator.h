// A small deterministic stand-in for the world model, so the viewer's tests do not need a trained
// checkpoint: its frame is a smooth function of an integrated pose (x, y, heading) and of the start
// frame's mean colour; temperature > 0 adds seeded noise to the motion.
#pragma once

#include <cmath>
#include <memory>
#include <random>

#include "model/simulator.h"
#include "nav/base/user_error.h"

namespace dw::test {

class FakeSimulator : public model::Simulator {
 public:
  explicit FakeSimulator(int size = 64, int context = 4) {
    info_.width = size;
    info_.height = size;
    info_.context = context;
    info_.parameters = 1234;
    info_.schema = data::ActionSchema::navigation(nav::ActionLimits{});
    info_.config_name = "fake";
    info_.config_json = "{\"fake\": true}";
    info_.weights_hash = "fake0001";
  }
  const model::ModelInfo& info() const override { return info_; }

  // Checks the start as the real model does (1..context frames, one action between each two) and
  // keeps it, so tests can see what the viewer handed over.
  void reset(const std::vector<std::vector<Image>>& start_frames,
             const std::vector<std::vector<std::vector<float>>>& start_actions, std::uint64_t seed) override {
    for (size_t b = 0; b < start_frames.size(); ++b) {
      const size_t count = start_frames[b].size();
      if (count < 1 || count > static_cast<size_t>(info_.context)) throw UserError("fake reset: bad frame count");
      if (!start_actions.empty() && start_actions.at(b).size() != count - 1) {
        throw UserError("fake reset: need one action between each two start frames");
      }
    }
    last_start_frames_ = start_frames;
    last_start_actions_ = start_actions;
    states_.clear();
    for (const auto& frames : start_frames) {
      State state;
      double sum = 0.0;
      for (std::uint8_t value : frames.back().pixels) sum += value;
      state.base = static_cast<float>(sum / static_cast<double>(frames.back().pixels.size()));
      state.random.seed(seed);
      states_.push_back(state);
    }
  }

  std::vector<Image> step(const std::vector<std::vector<float>>& actions) override {
    std::vector<Image> frames;
    for (size_t b = 0; b < states_.size(); ++b) {
      State& s = states_[b];
      std::normal_distribution<float> noise(0.0f, 1.0f);
      const float jitter = temperature_ > 0.0f ? temperature_ * 0.05f * noise(s.random) : 0.0f;
      s.heading += 0.1f * actions[b][2] + jitter;
      s.x += 0.3f * (actions[b][0] * std::cos(s.heading) - actions[b][1] * std::sin(s.heading));
      s.y += 0.3f * (actions[b][0] * std::sin(s.heading) + actions[b][1] * std::cos(s.heading));
      frames.push_back(render(s));
    }
    return frames;
  }

  const std::vector<std::vector<Image>>& last_start_frames() const { return last_start_frames_; }
  const std::vector<std::vector<std::vector<float>>>& last_start_actions() const { return last_start_actions_; }

  void set_temperature(float temperature) override { temperature_ = temperature; }
  float temperature() const override { return temperature_; }

  // The opaque state type belongs to the real model; an aliasing shared_ptr carries ours instead.
  std::shared_ptr<const model::SimulatorState> save_state() const override {
    auto copy = std::make_shared<const std::vector<State>>(states_);
    return {copy, reinterpret_cast<const model::SimulatorState*>(copy.get())};
  }
  void restore_state(const std::shared_ptr<const model::SimulatorState>& state) override {
    states_ = *reinterpret_cast<const std::vector<State>*>(state.get());
  }

 private:
  struct State {
    float x = 0.0f, y = 0.0f, heading = 0.0f, base = 128.0f;
    std::mt19937_64 random;
  };

  Image render(const State& s) const {
    Image image(info_.width, info_.height);
    for (int py = 0; py < image.height; ++py) {
      for (int px = 0; px < image.width; ++px) {
        const float u = static_cast<float>(px) / static_cast<float>(image.width) - 0.5f;
        const float v = static_cast<float>(py) / static_cast<float>(image.height) - 0.5f;
        std::uint8_t* pixel = image.at(px, py);
        pixel[0] = static_cast<std::uint8_t>(127.5f + 120.0f * std::sin(4.0f * u + s.x + s.heading));
        pixel[1] = static_cast<std::uint8_t>(127.5f + 120.0f * std::sin(5.0f * v + s.y - 2.0f * s.heading));
        pixel[2] = static_cast<std::uint8_t>(0.5f * s.base + 60.0f + 60.0f * std::cos(3.0f * (u + v) + s.x * s.y));
      }
    }
    return image;
  }

  model::ModelInfo info_;
  std::vector<State> states_;
  std::vector<std::vector<Image>> last_start_frames_;
  std::vector<std::vector<std::vector<float>>> last_start_actions_;
  float temperature_ = 0.0f;
};

}  // namespace dw::test
