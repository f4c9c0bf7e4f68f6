// A progress line for long work: rewritten in place on a TTY, plain periodic lines otherwise
// (so logs and CI output stay readable).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dw::tools {

// "1 episode", "2 episodes": counts in printed summaries read as English.
std::string counted(long long count, const std::string& noun);

class ProgressLine {
 public:
  // `total` units of work named `unit` (e.g. "episodes"); total 0 = unknown (no ETA).
  ProgressLine(std::string label, std::int64_t total, std::string unit);
  // Reports `done` units so far, with an optional extra text (e.g. "loss 0.012").
  void update(std::int64_t done, const std::string& extra = "");
  void finish(const std::string& extra = "");

 private:
  void print(std::int64_t done, const std::string& extra, bool final_line);
  std::string label_;
  std::int64_t total_;
  std::string unit_;
  bool is_tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  std::int64_t last_done_ = 0;
};

}  // namespace dw::tools
