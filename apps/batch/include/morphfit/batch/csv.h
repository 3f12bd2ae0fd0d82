#pragma once

#include <string>
#include <vector>

namespace morphfit::batch {

// RFC 4180 fields: a field holding a comma, a quote or a line break is quoted, quotes doubled.
std::string CsvField(const std::string& value);
// A line of fields joined by commas, with a trailing '\n'.
std::string CsvLine(const std::vector<std::string>& fields);
// Splits one line (without its '\n'; a trailing '\r' is dropped) into fields. Returns false for an
// unterminated quote.
bool SplitCsvLine(const std::string& line, std::vector<std::string>& fields);

// One record of a CSV text: its characters without the ending '\n' (a quoted field may hold line
// breaks, e.g. of a file name), and the line it starts on (1-based).
struct CsvRecord {
  std::string text;
  int line = 0;
};
// The records of `content`, split at line breaks outside quotes. Text after the last such line
// break (a record cut short by a crash) is not a record; `torn` is set when there is any.
std::vector<CsvRecord> SplitCsvRecords(const std::string& content, bool* torn = nullptr);

}  // namespace morphfit::batch
