#include "model/place_memory.h"

#include <cmath>

#include "nav/base/user_error.h"

namespace dw::model {
PlaceMemory::PlaceMemory(const data::ActionSchema& schema, PlaceMemoryOptions options)
    : navigation_(schema.is_navigation()), options_(options) {
  if (navigation_) limits_ = data::world_settings_for(schema).limits;
}

void PlaceMemory::start(std::int64_t batch) {
  poses_.assign(static_cast<size_t>(batch), nav::Pose{});
  places_.assign(static_cast<size_t>(batch), {});
}

void PlaceMemory::move(const std::vector<std::vector<float>>& actions) {
  if (!navigation_) return;  // kept up to date while switched off, so switching on later is right
  if (actions.size() != poses_.size()) throw UserError("place memory: one action per trajectory is needed");
  for (size_t b = 0; b < poses_.size(); ++b) {
    const std::vector<float>& a = actions[b];
    if (a.size() != 3) throw UserError("place memory: a navigation action has 3 values");
    poses_[b] = nav::free_step(poses_[b], {a[0], a[1], a[2]}, limits_);
  }
}

int PlaceMemory::find(std::int64_t b) const {
  const nav::Pose& here = poses_[static_cast<size_t>(b)];
  const std::vector<Place>& places = places_[static_cast<size_t>(b)];
  for (int i = static_cast<int>(places.size()) - 1; i >= 0; --i) {  // newest first
    const nav::Pose& there = places[static_cast<size_t>(i)].pose;
    if (std::hypot(here.x - there.x, here.y - there.y) <= options_.position_tolerance &&
        nav::heading_difference(here.yaw, there.yaw) <= options_.yaw_tolerance) {
      return i;
    }
  }
  return -1;
}

void PlaceMemory::remember(const ImaginationState& state, bool replace) {
  if (!active()) return;
  for (size_t b = 0; b < poses_.size(); ++b) {
    std::vector<Place>& places = places_[b];
    const int found = find(static_cast<std::int64_t>(b));
    if (found >= 0 && !replace) continue;
    if (found >= 0) places.erase(places.begin() + found);
    if (static_cast<int>(places.size()) >= options_.capacity) places.erase(places.begin());
    places.push_back({poses_[b], state_row(state, static_cast<std::int64_t>(b))});
  }
}

std::vector<bool> PlaceMemory::remembered() const {
  std::vector<bool> rows(poses_.size(), false);
  if (!active()) return rows;
  for (size_t b = 0; b < poses_.size(); ++b) rows[b] = find(static_cast<std::int64_t>(b)) >= 0;
  return rows;
}

std::vector<bool> PlaceMemory::recall(ImaginationState& state) const {
  std::vector<bool> recalled(poses_.size(), false);
  if (!active()) return recalled;
  std::vector<std::int64_t> rows;
  std::vector<ImaginationState> states;
  for (size_t b = 0; b < poses_.size(); ++b) {
    const int found = find(static_cast<std::int64_t>(b));
    if (found < 0) continue;
    rows.push_back(static_cast<std::int64_t>(b));
    states.push_back(places_[b][static_cast<size_t>(found)].state);
    recalled[b] = true;
  }
  replace_rows(state, rows, states);
  return recalled;
}

}  // namespace dw::model
