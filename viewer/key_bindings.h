// Which keys drive which action dimension. Built from the model's action schema (its "W/S"-style
// key field: positive/negative), with arrow-key alternates for turning and a default pair for any
// dimension the schema leaves unbound. Keys are names ("W", "Left") so scripts can use them too.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "datasets/episode.h"

namespace dw::viewer {

struct AxisBinding {
  std::string name;                       // the action dimension, e.g. "turn"
  std::vector<std::string> positive;      // keys that push it to +1
  std::vector<std::string> negative;      // keys that push it to -1
};

class KeyBindings {
 public:
  explicit KeyBindings(const data::ActionSchema& schema);

  // The action for the keys held now: +1 / -1 / 0 per dimension (both held cancel).
  std::vector<float> action(const std::set<std::string>& held) const;
  bool is_bound(const std::string& key) const;
  const std::vector<AxisBinding>& axes() const { return axes_; }
  // "W/S forward, D/A strafe, Q/E or Left/Right turn" for the help overlay.
  std::string describe() const;

 private:
  std::vector<AxisBinding> axes_;
};

// Keys the viewer reserves for itself (R, Space, P, Tab, F1, Escape); never bound to an axis.
bool is_reserved_key(const std::string& key);
// Canonical key name ("w" -> "W", "left" -> "Left"); empty when the name is not a known key.
std::string canonical_key_name(const std::string& name);

}  // namespace dw::viewer
