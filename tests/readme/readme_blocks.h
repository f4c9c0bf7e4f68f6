// The README's fenced blocks and the markers that say how each is tested (issue 15: every
// README example runs as written). A marker is an HTML comment on the line before the fence:
//   <!-- readme: run [in=none|data|model] [setup=NAME] [exit=N] [edit="FROM=>TO"]... [vary="N ..."] [display] -->
//   <!-- readme: output [of=previous | setup=NAME [in=FIXTURE|previous]] [vary="N ..."] -->
//   <!-- readme: illustrative: REASON -->
// `run` executes the block as a shell script (after the edits, which shrink sizes for CI); a
// trailing `# prints: TEXT` comment on one of its lines is a line the block must print.
// `output` is text the program prints: of the run block before it, or of the setup NAME in
// tests/readme/setups.sh (run in a fixture, or in=previous: in the last run block's folder). In shown text `…` stands for any text, and the numbers listed in
// `vary` for any number (they are measured, or depend on the data).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dw::readme {

enum class MarkerKind { none, run, output, illustrative };

struct Marker {
  MarkerKind kind = MarkerKind::none;
  std::multimap<std::string, std::string> attributes;  // edit may repeat
  bool has(const std::string& key) const { return attributes.count(key) > 0; }
  std::string get(const std::string& key, const std::string& fallback = "") const;
  std::string reason;  // illustrative only
};

struct Block {
  int line = 0;          // 1-based line of the opening fence
  std::string language;  // after the fence ("sh", "json", or empty)
  std::string text;      // the lines between the fences, each ending in '\n'
  Marker marker;
};

// Splits Markdown into its fenced blocks with the marker before each. Throws std::runtime_error
// naming the line for a malformed marker or an unclosed fence.
std::vector<Block> parse_blocks(const std::string& markdown);

// The block's script after its `edit` attributes (each FROM must occur; runtime_error if not).
std::string edited_script(const Block& block);

// The lines a run block must print (its `# prints:` comments), or an output block's lines.
std::vector<std::string> shown_lines(const Block& block);

// True when `printed` matches the shown `line`: `…` is any text, numbers in `vary` any number.
bool line_matches(const std::string& line, const std::string& printed, const std::vector<std::string>& vary);

// The shown lines missing from `printed` when matched in order (empty = all found).
std::vector<std::string> missing_lines(const std::vector<std::string>& shown, const std::string& printed,
                                       const std::vector<std::string>& vary);

// The `vary` attribute split into its numbers.
std::vector<std::string> varying_numbers(const Marker& marker);

}  // namespace dw::readme
