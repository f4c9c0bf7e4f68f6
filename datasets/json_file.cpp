#include "datasets/json_file.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::data::json_file {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& field,
                       const std::string& problem) {
  throw UserError(path.string() + ": \"" + field + "\" " + problem);
}

// nlohmann reports the byte offset of a syntax error; people think in lines.
int line_of_byte(const std::string& text, std::size_t byte) {
  const std::size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
  int line = 1;
  for (std::size_t i = 0; i < end; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

// Numbers stay on one line however many (an action row); short string lists too (schema names),
// but long ones (a split's episode list) get one entry per line.
bool is_scalar_row(const Json& value) {
  if (!value.is_array() || value.empty()) return false;
  bool all_numbers = true;
  for (const auto& element : value) {
    if (element.is_structured()) return false;
    all_numbers = all_numbers && (element.is_number() || element.is_null());
  }
  return all_numbers || value.size() <= 8;
}

void dump_into(const Json& value, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string close_pad(static_cast<std::size_t>(indent), ' ');
  if (value.is_object() && !value.empty()) {
    out += "{\n";
    std::size_t i = 0;
    for (auto it = value.begin(); it != value.end(); ++it, ++i) {
      out += pad + Json(it.key()).dump() + ": ";
      dump_into(it.value(), indent + 2, out);
      out += i + 1 < value.size() ? ",\n" : "\n";
    }
    out += close_pad + "}";
  } else if (value.is_array() && !value.empty() && !is_scalar_row(value)) {
    out += "[\n";
    for (std::size_t i = 0; i < value.size(); ++i) {
      out += pad;
      dump_into(value[i], indent + 2, out);
      out += i + 1 < value.size() ? ",\n" : "\n";
    }
    out += close_pad + "]";
  } else if (is_scalar_row(value)) {
    out += "[";
    for (std::size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + value[i].dump();
    out += "]";
  } else {
    out += value.dump();
  }
}

}  // namespace

Json parse_text(const std::string& text, const std::filesystem::path& path) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& error) {
    std::string what = error.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line L, column C: " prefix.
    const auto colon = what.find(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    throw UserError(path.string() + ": line " + std::to_string(line_of_byte(text, error.byte)) +
                    ": malformed JSON (" + what + ")");
  } catch (const Json::exception& error) {
    // A number too large for a double ("1e400") is out_of_range, not a parse_error, and has no
    // byte offset: name the number instead.
    std::string what = error.what();
    const auto bracket = what.find("] ");
    if (bracket != std::string::npos) what = what.substr(bracket + 2);
    throw UserError(path.string() + ": malformed JSON (" + what + ")");
  }
}

Json parse(const std::filesystem::path& path) { return parse_text(read_whole_file(path), path); }

Json number(float value) {
  if (!std::isfinite(value)) return Json(nullptr);  // JSON has no NaN/inf; readers reject null
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  double shortest = 0.0;
  std::from_chars(buffer, result.ptr, shortest);
  if (shortest == std::floor(shortest) && std::fabs(shortest) < 1e15)
    return Json(static_cast<std::int64_t>(shortest));  // "1" reads better than "1.0" in a row
  return Json(shortest);
}

const Json& member(const Json& object, const char* name, const std::filesystem::path& path) {
  const Json* found = optional_member(object, name, path);
  if (!found) fail(path, name, "is missing");
  return *found;
}

const Json* optional_member(const Json& object, const char* name, const std::filesystem::path& path) {
  if (!object.is_object()) throw UserError(path.string() + ": expected a JSON object");
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

int as_int(const Json& value, const std::string& field, const std::filesystem::path& path) {
  if (!value.is_number_integer()) fail(path, field, "must be an integer, not " + value.dump());
  const auto wide = value.get<std::int64_t>();
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
    fail(path, field, "is out of range: " + value.dump());
  return static_cast<int>(wide);
}

std::uint64_t as_uint64(const Json& value, const std::string& field, const std::filesystem::path& path) {
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0))
    fail(path, field, "must be a non-negative integer, not " + value.dump());
  return value.get<std::uint64_t>();
}

float as_float(const Json& value, const std::string& field, const std::filesystem::path& path) {
  if (!value.is_number()) fail(path, field, "must be a number, not " + value.dump());
  return static_cast<float>(value.get<double>());
}

std::string as_string(const Json& value, const std::string& field, const std::filesystem::path& path) {
  if (!value.is_string()) fail(path, field, "must be a string, not " + value.dump());
  return value.get<std::string>();
}

const Json& as_array(const Json& value, const std::string& field, const std::filesystem::path& path) {
  if (!value.is_array()) fail(path, field, "must be an array");
  return value;
}

const Json& as_object(const Json& value, const std::string& field, const std::filesystem::path& path) {
  if (!value.is_object()) fail(path, field, "must be an object");
  return value;
}

std::string dump(const Json& value) {
  std::string out;
  dump_into(value, 0, out);
  out += "\n";
  return out;
}

}  // namespace dw::data::json_file
