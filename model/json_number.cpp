#include "model/json_number.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace dw::model {

std::optional<std::int64_t> whole_number(const nlohmann::json& value, std::int64_t low, std::int64_t high) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (high < 0 || number > static_cast<std::uint64_t>(high)) return std::nullopt;
    const auto signed_number = static_cast<std::int64_t>(number);
    return signed_number >= low ? std::optional<std::int64_t>(signed_number) : std::nullopt;
  }
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    return number >= low && number <= high ? std::optional<std::int64_t>(number) : std::nullopt;
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    // Compared as doubles before the cast, so the cast only sees values that fit.
    if (!std::isfinite(number) || number != std::floor(number)) return std::nullopt;
    if (number < static_cast<double>(low) || number > static_cast<double>(high)) return std::nullopt;
    if (number >= 9.2e18 || number <= -9.2e18) return std::nullopt;  // beyond int64's exact range
    return static_cast<std::int64_t>(number);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> whole_unsigned(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    return number >= 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(number)) : std::nullopt;
  }
  if (const auto number = whole_number(value, 0, INT64_MAX)) return static_cast<std::uint64_t>(*number);
  return std::nullopt;
}

}  // namespace dw::model
