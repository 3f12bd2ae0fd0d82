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

}  // namespace morphfit::batch
