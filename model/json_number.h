// Whole numbers out of JSON without undefined behaviour: nlohmann's get<int>() casts a float or an
// out-of-range integer as it stands (1e300 as an int is undefined), so model.json and the configs
// read their integer fields through these and report anything else as a user error.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json_fwd.hpp>

namespace dw::model {

// The value when it is an integer, or a float with a whole value, within [low, high]; else nullopt.
std::optional<std::int64_t> whole_number(const nlohmann::json& value, std::int64_t low, std::int64_t high);
// The same for the full unsigned 64-bit range (seeds, counters).
std::optional<std::uint64_t> whole_unsigned(const nlohmann::json& value);

}  // namespace dw::model
