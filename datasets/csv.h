// A small CSV reader for the importers: a header row naming the columns, then rows of cells.
// Every value handed out remembers its file line, so a bad number is reported as "file line N".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dw::data {

struct CsvTable {
  std::filesystem::path path;
  std::vector<std::string> columns;            // header names, trimmed
  std::vector<std::vector<std::string>> rows;  // each has columns.size() cells
  std::vector<int> lines;                      // 1-based file line of each row

  // Index of `name` in the header, or -1.
  int column_index(const std::string& name) const;
  bool has_column(const std::string& name) const { return column_index(name) >= 0; }
  // "a, b, c": for messages that list what is available.
  std::string column_list() const;
  // "actions.csv line 7": where a row came from.
  std::string where(size_t row) const;
  // The column as finite numbers; throws UserError naming the column, file and line for an
  // unknown column, an empty cell, text that is not a number, NaN or infinity.
  std::vector<double> numbers(const std::string& name) const;
};

// Parses CSV text (comma separated, optional double quotes with "" escapes, blank lines and
// lines starting with '#' skipped, CRLF and a UTF-8 BOM accepted). `path` is for messages only.
CsvTable parse_csv(const std::string& text, const std::filesystem::path& path);
// Reads and parses a file; throws UserError when it is missing, empty or has ragged rows.
CsvTable read_csv(const std::filesystem::path& path);

}  // namespace dw::data
