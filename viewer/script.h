// Scripted input for the viewer (--script FILE), so a walk can be driven without a person and
// compared with a headless rollout. A text file, one event per line, '#' starts a comment:
//   STEP KEY down|up    e.g. "0 W down", "10 Left down", "15 Left up"
//   STEP quit           close the viewer once STEP steps are shown
// Events at STEP apply when STEP model steps have been taken, i.e. before the step that makes
// frame STEP+1. While a script runs the model steps on every tick, keys held or not.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dw::viewer {

struct ScriptEvent {
  int step = 0;
  std::string key;      // canonical key name; empty for quit
  bool is_down = true;
  bool is_quit = false;
};

class Script {
 public:
  // Throws UserError naming `source` and the line on malformed input.
  static Script parse(const std::string& text, const std::string& source);
  static Script load(const std::filesystem::path& path);

  const std::vector<ScriptEvent>& events() const { return events_; }  // sorted by step (stable)
  std::optional<int> quit_step() const;

 private:
  std::vector<ScriptEvent> events_;
};

}  // namespace dw::viewer
