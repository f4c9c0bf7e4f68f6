#include "tools/progress.h"

#include <unistd.h>

#include <cstdio>

namespace dw::tools {

std::string counted(long long count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

ProgressLine::ProgressLine(std::string label, std::int64_t total, std::string unit)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      is_tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void ProgressLine::update(std::int64_t done, const std::string& extra) {
  last_done_ = done;
  const auto now = std::chrono::steady_clock::now();
  // A TTY can take frequent redraws; logs get a line every 5 seconds at most.
  const auto interval = is_tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (now - last_print_ < interval) return;
  last_print_ = now;
  print(done, extra, false);
}

// With an unknown total, the final line reports the last count seen rather than 0.
void ProgressLine::finish(const std::string& extra) {
  print(total_ > 0 ? total_ : last_done_, extra, true);
}

void ProgressLine::print(std::int64_t done, const std::string& extra, bool final_line) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? done / seconds : 0.0;
  char eta[32] = "";
  if (total_ > 0 && rate > 0 && !final_line) {
    std::snprintf(eta, sizeof eta, " ETA %.0fs", (total_ - done) / rate);
  }
  char total_text[32] = "";
  if (total_ > 0) std::snprintf(total_text, sizeof total_text, "/%lld", static_cast<long long>(total_));
  std::fprintf(stderr, "%s%s: %lld%s %s, %.1f %s/s%s%s%s%s", is_tty_ ? "\r\033[K" : "",
               label_.c_str(), static_cast<long long>(done), total_text, unit_.c_str(), rate,
               unit_.c_str(), eta, extra.empty() ? "" : ", ", extra.c_str(),
               (is_tty_ && !final_line) ? "" : "\n");
  std::fflush(stderr);
}

}  // namespace dw::tools
