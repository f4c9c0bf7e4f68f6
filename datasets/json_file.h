// Internal helpers for the human-readable JSON files of the dataset format (episode.json,
// manifest.json, cache index): parsing with a line number on error, typed field access that names
// the file and the field, and float formatting that reads back to the same bits.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace dw::data::json_file {

// Ordered, so files keep a human-friendly key order (format_version first, actions last).
using Json = nlohmann::ordered_json;

// Reads and parses `path`; a syntax error becomes a UserError "<path>: line L: <what>".
Json parse(const std::filesystem::path& path);
// Parses text already read from `path` (used when the caller also hashes the bytes).
Json parse_text(const std::string& text, const std::filesystem::path& path);

// A float as the shortest decimal that reads back to the same float (0.12f prints as 0.12).
Json number(float value);

// Typed access that throws UserError naming `path` and the field (`name`) when missing or wrong.
const Json& member(const Json& object, const char* name, const std::filesystem::path& path);
const Json* optional_member(const Json& object, const char* name, const std::filesystem::path& path);
int as_int(const Json& value, const std::string& field, const std::filesystem::path& path);
std::uint64_t as_uint64(const Json& value, const std::string& field, const std::filesystem::path& path);
float as_float(const Json& value, const std::string& field, const std::filesystem::path& path);
std::string as_string(const Json& value, const std::string& field, const std::filesystem::path& path);
const Json& as_array(const Json& value, const std::string& field, const std::filesystem::path& path);
const Json& as_object(const Json& value, const std::string& field, const std::filesystem::path& path);

// Pretty-prints with two-space indentation, except that flat arrays (action rows, poses, names,
// limits) stay on one line each, so a 1000-step episode is 1000 readable lines, not 4000.
std::string dump(const Json& value);

}  // namespace dw::data::json_file
