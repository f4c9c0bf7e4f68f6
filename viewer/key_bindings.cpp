#include "viewer/key_bindings.h"

#include <algorithm>
#include <cctype>

namespace dw::viewer {
namespace {

const std::vector<std::string>& known_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> names;
    for (char c = 'A'; c <= 'Z'; ++c) names.emplace_back(1, c);
    for (char c = '0'; c <= '9'; ++c) names.emplace_back(1, c);
    for (const char* name : {"Left", "Right", "Up", "Down", "Space", "Tab", "Escape", "Enter",
                             "F1", "Shift", "Control"}) {
      names.emplace_back(name);
    }
    return names;
  }();
  return keys;
}

// Spare pairs for dimensions the schema leaves unbound, in order of preference.
const std::vector<std::pair<std::string, std::string>>& spare_pairs() {
  static const std::vector<std::pair<std::string, std::string>> pairs = {
      {"I", "K"}, {"L", "J"}, {"O", "U"}, {"Up", "Down"}, {"T", "G"}, {"H", "F"}, {"Y", "B"},
      {"N", "M"}, {"1", "2"}, {"3", "4"}, {"5", "6"}, {"7", "8"}};
  return pairs;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// "W/S" -> {"W"}, {"S"}; anything malformed or clashing yields empty lists (then a spare pair).
bool parse_pair(const std::string& text, std::string& positive, std::string& negative) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  positive = canonical_key_name(text.substr(0, slash));
  negative = canonical_key_name(text.substr(slash + 1));
  return !positive.empty() && !negative.empty() && positive != negative &&
         !is_reserved_key(positive) && !is_reserved_key(negative);
}

}  // namespace

bool is_reserved_key(const std::string& key) {
  static const std::set<std::string> reserved = {"R", "Space", "P", "Tab", "F1", "Escape"};
  return reserved.count(key) > 0;
}

std::string canonical_key_name(const std::string& name) {
  const std::string wanted = lower(name);
  for (const auto& key : known_keys()) {
    if (lower(key) == wanted) return key;
  }
  return {};
}

KeyBindings::KeyBindings(const data::ActionSchema& schema) {
  std::set<std::string> used;
  std::vector<size_t> unbound;
  for (size_t i = 0; i < schema.names.size(); ++i) {
    AxisBinding axis{schema.names[i], {}, {}};
    std::string positive;
    std::string negative;
    const std::string keys = i < schema.keys.size() ? schema.keys[i] : std::string();
    if (parse_pair(keys, positive, negative) && !used.count(positive) && !used.count(negative)) {
      axis.positive.push_back(positive);
      axis.negative.push_back(negative);
      used.insert({positive, negative});
    } else {
      unbound.push_back(i);
    }
    axes_.push_back(axis);
  }
  // Turning left is positive (DESIGN.md), so Left/Right also turn when nothing else took them.
  for (auto& axis : axes_) {
    if (axis.name == "turn" && !used.count("Left") && !used.count("Right")) {
      axis.positive.push_back("Left");
      axis.negative.push_back("Right");
      used.insert({"Left", "Right"});
    }
  }
  size_t next_spare = 0;
  for (size_t index : unbound) {
    while (next_spare < spare_pairs().size() && (used.count(spare_pairs()[next_spare].first) ||
                                                 used.count(spare_pairs()[next_spare].second))) {
      ++next_spare;
    }
    if (next_spare == spare_pairs().size()) break;  // more than a dozen dimensions: rest unbound
    const auto& pair = spare_pairs()[next_spare++];
    axes_[index].positive.push_back(pair.first);
    axes_[index].negative.push_back(pair.second);
    used.insert({pair.first, pair.second});
  }
}

std::vector<float> KeyBindings::action(const std::set<std::string>& held) const {
  std::vector<float> values;
  values.reserve(axes_.size());
  auto any_held = [&](const std::vector<std::string>& keys) {
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& key) { return held.count(key) > 0; });
  };
  for (const auto& axis : axes_) {
    values.push_back((any_held(axis.positive) ? 1.0f : 0.0f) - (any_held(axis.negative) ? 1.0f : 0.0f));
  }
  return values;
}

bool KeyBindings::is_bound(const std::string& key) const {
  for (const auto& axis : axes_) {
    if (std::count(axis.positive.begin(), axis.positive.end(), key) ||
        std::count(axis.negative.begin(), axis.negative.end(), key)) {
      return true;
    }
  }
  return false;
}

std::string KeyBindings::describe() const {
  std::string text;
  for (const auto& axis : axes_) {
    if (!text.empty()) text += ", ";
    for (size_t i = 0; i < axis.positive.size(); ++i) {
      text += (i ? " or " : "") + axis.positive[i] + "/" + axis.negative[i];
    }
    text += (axis.positive.empty() ? "(unbound) " : " ") + axis.name;
  }
  return text;
}

}  // namespace dw::viewer
