#include "viewer/script.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "nav/base/user_error.h"
#include "viewer/key_bindings.h"

namespace dw::viewer {

Script Script::parse(const std::string& text, const std::string& source) {
  Script script;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::vector<std::string> tokens;
    for (std::string word; words >> word;) tokens.push_back(word);
    if (tokens.empty()) continue;
    const std::string where = source + ": line " + std::to_string(number) + ": ";
    ScriptEvent event;
    size_t consumed = 0;
    try {
      event.step = std::stoi(tokens[0], &consumed);
    } catch (const std::exception&) {
      consumed = 0;
    }
    if (consumed != tokens[0].size() || event.step < 0) {
      throw UserError(where + "expected a step number >= 0, got '" + tokens[0] + "'");
    }
    if (tokens.size() == 2 && tokens[1] == "quit") {
      event.is_quit = true;
    } else if (tokens.size() == 3 && (tokens[2] == "down" || tokens[2] == "up")) {
      event.key = canonical_key_name(tokens[1]);
      if (event.key.empty()) throw UserError(where + "unknown key '" + tokens[1] + "'");
      event.is_down = tokens[2] == "down";
    } else {
      throw UserError(where + "expected 'STEP KEY down|up' or 'STEP quit'");
    }
    script.events_.push_back(event);
  }
  std::stable_sort(script.events_.begin(), script.events_.end(),
                   [](const ScriptEvent& a, const ScriptEvent& b) { return a.step < b.step; });
  return script;
}

Script Script::load(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) throw UserError("--script: cannot read " + path.string());
  std::stringstream text;
  text << file.rdbuf();
  return parse(text.str(), path.string());
}

std::optional<int> Script::quit_step() const {
  for (const auto& event : events_) {
    if (event.is_quit) return event.step;
  }
  return std::nullopt;
}

}  // namespace dw::viewer
