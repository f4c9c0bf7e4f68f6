#include "tests/readme/readme_blocks.h"

#include <algorithm>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace dw::readme {
namespace {

const std::string kMarkerStart = "<!-- readme:";
const std::string kMarkerEnd = "-->";
const std::string kPrints = "# prints: ";
const std::string kEllipsis = "\xE2\x80\xA6";  // "…" in UTF-8

std::string trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r") + 1 - begin);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// `key=value`, `key="value with spaces"` or a bare `flag`, separated by spaces.
std::multimap<std::string, std::string> parse_attributes(const std::string& text, int line) {
  std::multimap<std::string, std::string> attributes;
  size_t at = 0;
  while ((at = text.find_first_not_of(' ', at)) != std::string::npos) {
    const size_t end_of_key = text.find_first_of(" =", at);
    const std::string key = text.substr(at, end_of_key - at);
    if (end_of_key == std::string::npos || text[end_of_key] == ' ') {
      attributes.emplace(key, "");
      at = end_of_key;
      continue;
    }
    std::string value;
    size_t next = end_of_key + 1;
    if (next < text.size() && text[next] == '"') {
      const size_t close = text.find('"', next + 1);
      if (close == std::string::npos) {
        throw std::runtime_error("README line " + std::to_string(line) + ": unclosed quote in marker");
      }
      value = text.substr(next + 1, close - next - 1);
      next = close + 1;
    } else {
      const size_t space = text.find(' ', next);
      value = text.substr(next, space - next);
      next = space;
    }
    attributes.emplace(key, value);
    at = next;
  }
  return attributes;
}

Marker parse_marker(const std::string& body, int line) {
  Marker marker;
  const std::string text = trim(body);
  const std::string illustrative = "illustrative:";
  if (text.rfind(illustrative, 0) == 0) {
    marker.kind = MarkerKind::illustrative;
    marker.reason = trim(text.substr(illustrative.size()));
    if (marker.reason.empty()) {
      throw std::runtime_error("README line " + std::to_string(line) + ": an illustrative block needs a reason");
    }
    return marker;
  }
  const size_t space = text.find(' ');
  const std::string kind = text.substr(0, space);
  if (kind == "run") marker.kind = MarkerKind::run;
  else if (kind == "output") marker.kind = MarkerKind::output;
  else throw std::runtime_error("README line " + std::to_string(line) + ": unknown marker '" + kind + "'");
  if (space != std::string::npos) marker.attributes = parse_attributes(text.substr(space + 1), line);
  return marker;
}

// A shown line as a regular expression: literal text, `…` as any text, varying numbers as any number.
std::regex shown_line_pattern(const std::string& line, const std::vector<std::string>& vary) {
  auto literal = [](const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text.compare(i, kEllipsis.size(), kEllipsis) == 0) {
        out += ".*";
        i += kEllipsis.size() - 1;
      } else if (std::string("\\^$.|?*+()[]{}").find(text[i]) != std::string::npos) {
        out += std::string("\\") + text[i];
      } else {
        out += text[i];
      }
    }
    return out;
  };
  static const std::regex number("-?[0-9]+(\\.[0-9]+)?");
  std::string pattern;
  size_t done = 0;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), number); it != std::sregex_iterator(); ++it) {
    const auto& match = *it;
    const size_t at = static_cast<size_t>(match.position());
    pattern += literal(line.substr(done, at - done));
    const bool varies = std::find(vary.begin(), vary.end(), match.str()) != vary.end();
    pattern += varies ? "-?[0-9]+(\\.[0-9]+)?" : literal(match.str());
    done = at + match.str().size();
  }
  pattern += literal(line.substr(done));
  return std::regex(pattern);
}

}  // namespace

std::string Marker::get(const std::string& key, const std::string& fallback) const {
  const auto found = attributes.find(key);
  return found == attributes.end() ? fallback : found->second;
}

std::vector<Block> parse_blocks(const std::string& markdown) {
  std::vector<Block> blocks;
  const std::vector<std::string> lines = lines_of(markdown);
  Marker pending;
  int pending_line = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    const std::string text = trim(lines[i]);
    if (text.rfind(kMarkerStart, 0) == 0) {
      if (text.size() < kMarkerStart.size() + kMarkerEnd.size() ||
          text.compare(text.size() - kMarkerEnd.size(), kMarkerEnd.size(), kMarkerEnd) != 0) {
        throw std::runtime_error("README line " + std::to_string(number) + ": a marker must be one line ending in -->");
      }
      pending = parse_marker(text.substr(kMarkerStart.size(), text.size() - kMarkerStart.size() - kMarkerEnd.size()),
                             number);
      pending_line = number;
      continue;
    }
    if (lines[i].rfind("```", 0) != 0) {
      if (pending_line && !text.empty()) {
        throw std::runtime_error("README line " + std::to_string(pending_line) + ": a marker must come right before a fenced block");
      }
      continue;
    }
    Block block;
    block.line = number;
    block.language = trim(lines[i].substr(3));
    block.marker = pending_line == number - 1 ? pending : Marker{};
    pending_line = 0;
    size_t j = i + 1;
    for (; j < lines.size() && lines[j].rfind("```", 0) != 0; ++j) block.text += lines[j] + "\n";
    if (j == lines.size()) throw std::runtime_error("README line " + std::to_string(number) + ": unclosed fence");
    blocks.push_back(std::move(block));
    i = j;
  }
  return blocks;
}

std::string edited_script(const Block& block) {
  std::string script = block.text;
  const auto edits = block.marker.attributes.equal_range("edit");
  for (auto it = edits.first; it != edits.second; ++it) {
    const size_t arrow = it->second.find("=>");
    if (arrow == std::string::npos) {
      throw std::runtime_error("README line " + std::to_string(block.line) + ": edit \"" + it->second + "\" needs FROM=>TO");
    }
    const std::string from = it->second.substr(0, arrow), to = it->second.substr(arrow + 2);
    if (script.find(from) == std::string::npos) {
      throw std::runtime_error("README line " + std::to_string(block.line) + ": edit: '" + from + "' is not in the block");
    }
    for (size_t at = script.find(from); at != std::string::npos; at = script.find(from, at + to.size())) {
      script.replace(at, from.size(), to);
    }
  }
  return script;
}

std::vector<std::string> shown_lines(const Block& block) {
  std::vector<std::string> shown;
  for (const std::string& line : lines_of(block.text)) {
    if (block.marker.kind == MarkerKind::output) {
      if (!trim(line).empty()) shown.push_back(trim(line));
    } else if (const size_t at = line.find(kPrints); at != std::string::npos) {
      shown.push_back(trim(line.substr(at + kPrints.size())));
    }
  }
  return shown;
}

bool line_matches(const std::string& line, const std::string& printed, const std::vector<std::string>& vary) {
  return std::regex_match(trim(printed), shown_line_pattern(trim(line), vary));
}

std::vector<std::string> missing_lines(const std::vector<std::string>& shown, const std::string& printed,
                                       const std::vector<std::string>& vary) {
  const std::vector<std::string> output = lines_of(printed);
  std::vector<std::string> missing;
  size_t next = 0;
  for (const std::string& line : shown) {
    size_t at = next;
    while (at < output.size() && !line_matches(line, output[at], vary)) ++at;
    if (at == output.size()) {
      missing.push_back(line);
    } else {
      next = at + 1;
    }
  }
  return missing;
}

std::vector<std::string> varying_numbers(const Marker& marker) {
  std::vector<std::string> numbers;
  std::istringstream in(marker.get("vary"));
  for (std::string number; in >> number;) numbers.push_back(number);
  return numbers;
}

}  // namespace dw::readme
