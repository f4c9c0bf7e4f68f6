#include "datasets/csv.h"

#include <cmath>
#include <cstdlib>

#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::data {

namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// Splits one logical line into cells. Quoted cells keep their spaces and may hold commas;
// unquoted cells are trimmed, since hand-written CSVs often put a space after each comma.
std::vector<std::string> split_cells(const std::string& line, const std::string& where) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"' && trim(cell).empty()) {
      quoted = was_quoted = true;
      cell.clear();
    } else if (c == ',') {
      cells.push_back(was_quoted ? cell : trim(cell));
      cell.clear();
      was_quoted = false;
    } else {
      cell += c;
    }
  }
  if (quoted) throw UserError(where + ": a quoted value is not closed");
  cells.push_back(was_quoted ? cell : trim(cell));
  return cells;
}

}  // namespace

int CsvTable::column_index(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string CsvTable::column_list() const {
  std::string list;
  for (const auto& name : columns) list += (list.empty() ? "" : ", ") + name;
  return list;
}

std::string CsvTable::where(size_t row) const {
  return path.string() + " line " + std::to_string(lines.at(row));
}

std::vector<double> CsvTable::numbers(const std::string& name) const {
  const int column = column_index(name);
  if (column < 0) {
    throw UserError(path.string() + ": no column '" + name + "' (available: " + column_list() + ")");
  }
  std::vector<double> values;
  values.reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::string& cell = rows[r][static_cast<size_t>(column)];
    if (cell.empty()) throw UserError(where(r) + ": column '" + name + "' is empty");
    char* end = nullptr;
    const double value = std::strtod(cell.c_str(), &end);
    if (end != cell.c_str() + cell.size()) {
      throw UserError(where(r) + ": column '" + name + "' holds '" + cell + "', not a number");
    }
    if (std::isnan(value)) throw UserError(where(r) + ": column '" + name + "' is NaN");
    if (!std::isfinite(value)) {
      throw UserError(where(r) + ": column '" + name + "' is infinite");
    }
    values.push_back(value);
  }
  return values;
}

CsvTable parse_csv(const std::string& text, const std::filesystem::path& path) {
  CsvTable table;
  table.path = path;
  size_t start = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  int line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string trimmed = trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::string where = path.string() + " line " + std::to_string(line_number);
    auto cells = split_cells(line, where);
    if (table.columns.empty()) {
      for (const auto& name : cells) {
        if (name.empty()) throw UserError(where + ": the header has an empty column name");
      }
      table.columns = std::move(cells);
      continue;
    }
    if (cells.size() != table.columns.size()) {
      throw UserError(where + ": " + std::to_string(cells.size()) + " values but the header has " +
                      std::to_string(table.columns.size()) + " columns");
    }
    table.rows.push_back(std::move(cells));
    table.lines.push_back(line_number);
  }
  if (table.columns.empty()) throw UserError(path.string() + ": empty CSV (no header row)");
  return table;
}

CsvTable read_csv(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw UserError(path.string() + ": no such CSV file");
  }
  CsvTable table = parse_csv(read_whole_file(path), path);
  if (table.rows.empty()) throw UserError(path.string() + ": the CSV has a header but no rows");
  return table;
}

}  // namespace dw::data
