// The one error type for user mistakes (bad file, bad flag, bad config). The CLI catches it at the
// top, prints "dreamwalk: <message>" and exits 2. Every module may throw it; bugs are assertions.
#pragma once

#include <stdexcept>
#include <string>

namespace dw {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace dw
