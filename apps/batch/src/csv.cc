#include "morphfit/batch/csv.h"

namespace morphfit::batch {

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(fields[i]);
  }
  return line + '\n';
}

bool SplitCsvLine(const std::string& line, std::vector<std::string>& fields) {
  fields.assign(1, std::string());
  size_t end = line.size();
  if (end > 0 && line[end - 1] == '\r') --end;
  bool quoted = false;
  for (size_t i = 0; i < end; ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < end && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return !quoted;
}

std::vector<CsvRecord> SplitCsvRecords(const std::string& content, bool* torn) {
  std::vector<CsvRecord> records;
  bool quoted = false;
  size_t start = 0;
  int line = 1, start_line = 1;
  for (size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (c == '"') {
      quoted = !quoted;  // a doubled quote inside a field toggles twice
    } else if (c == '\n') {
      ++line;
      if (!quoted) {
        records.push_back({content.substr(start, i - start), start_line});
        start = i + 1;
        start_line = line;
      }
    }
  }
  if (torn) *torn = start < content.size();
  return records;
}

}  // namespace morphfit::batch
