#include "morphfit/batch/results_table.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "morphfit/batch/csv.h"
#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"

namespace morphfit::batch {

namespace {

// image, class, verdict, reasons, <statistics>, seconds, output, error
constexpr int kLeadingColumns = 4;
constexpr int kTrailingColumns = 3;

std::string FormatNumber(double value, const char* format) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string joined;
  for (const std::string& reason : reasons) joined += (joined.empty() ? "" : ";") + reason;
  return joined;
}

std::vector<std::string> SplitReasons(const std::string& joined) {
  std::vector<std::string> reasons;
  std::istringstream stream(joined);
  std::string reason;
  while (std::getline(stream, reason, ';')) {
    if (!reason.empty()) reasons.push_back(reason);
  }
  return reasons;
}

bool ParseDouble(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

}  // namespace

const std::vector<std::string>& StatisticColumns() {
  static const std::vector<std::string> columns = {"landmark_nme",      "landmark_rms_px",
                                                   "photo_rms",         "photo_inlier_fraction",
                                                   "shape_mahalanobis", "expression_mahalanobis",
                                                   "yaw_deg",           "pitch_deg",
                                                   "roll_deg",          "face_size_px"};
  return columns;
}

bool ResultRow::operator==(const ResultRow& other) const {
  return image == other.image && expression_class == other.expression_class &&
         verdict == other.verdict && reasons == other.reasons && statistics == other.statistics &&
         seconds == other.seconds && output == other.output && error == other.error;
}

std::string ResultsHeaderLine() {
  std::vector<std::string> fields = {"image", "class", "verdict", "reasons"};
  for (const std::string& column : StatisticColumns()) fields.push_back(column);
  fields.insert(fields.end(), {"seconds", "output", "error"});
  return CsvLine(fields);
}

std::string ResultLine(const ResultRow& row) {
  std::vector<std::string> fields = {row.image, row.expression_class, row.verdict,
                                     JoinReasons(row.reasons)};
  for (const std::string& column : StatisticColumns()) {
    const auto found = row.statistics.find(column);
    fields.push_back(found == row.statistics.end() || !std::isfinite(found->second)
                         ? std::string()
                         : FormatNumber(found->second, "%.6g"));
  }
  // The error is one line, to keep the table greppable. An image's name may hold a line break
  // (Linux allows it): it is quoted, and ReadResultsTable reads records, not lines.
  std::string error = row.error;
  for (char& c : error) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  fields.insert(fields.end(), {FormatNumber(row.seconds, "%.3f"), row.output, error});
  return CsvLine(fields);
}

std::vector<ResultRow> ReadResultsTable(const std::string& path, int* torn_lines) {
  if (torn_lines) *torn_lines = 0;
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw FileError(path, "cannot open the results table");
  const std::string content((std::istreambuf_iterator<char>(stream)),
                            std::istreambuf_iterator<char>());
  bool torn = false;
  const std::vector<CsvRecord> records = SplitCsvRecords(content, &torn);
  if (torn_lines) *torn_lines = torn ? 1 : 0;
  std::vector<std::string> fields;
  std::vector<ResultRow> rows;
  const size_t num_statistics = StatisticColumns().size();
  const size_t num_fields = kLeadingColumns + num_statistics + kTrailingColumns;
  for (const CsvRecord& record : records) {
    const std::string where = path + ": line " + std::to_string(record.line);
    if (record.line == 1) {
      if (record.text + "\n" != ResultsHeaderLine()) {
        throw Error(where + ": not the results.csv header of this version of morphfit-batch");
      }
      continue;
    }
    if (!SplitCsvLine(record.text, fields) || fields.size() != num_fields) {
      throw Error(where + ": expected " + std::to_string(num_fields) + " fields");
    }
    ResultRow row;
    row.image = fields[0];
    row.expression_class = fields[1];
    row.verdict = fields[2];
    row.reasons = SplitReasons(fields[3]);
    for (size_t i = 0; i < num_statistics; ++i) {
      double value = 0;
      if (ParseDouble(fields[kLeadingColumns + i], value)) {
        row.statistics[StatisticColumns()[i]] = value;
      }
    }
    const size_t trailing = kLeadingColumns + num_statistics;
    if (!ParseDouble(fields[trailing], row.seconds)) throw Error(where + ": bad seconds field");
    row.output = fields[trailing + 1];
    row.error = fields[trailing + 2];
    if (row.verdict != "kept" && row.verdict != "rejected" && row.verdict != "failed") {
      throw Error(where + ": verdict '" + row.verdict + "' is not kept, rejected or failed");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void WriteResultsTable(const std::string& path, const std::vector<ResultRow>& rows) {
  std::string content = ResultsHeaderLine();
  for (const ResultRow& row : rows) content += ResultLine(row);
  WriteFileAtomically(path, content);
}

ResultsAppender::ResultsAppender(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0)
    throw FileError(path, std::string("cannot open for appending: ") + std::strerror(errno));
}

ResultsAppender::~ResultsAppender() {
  if (fd_ >= 0) ::close(fd_);
}

void ResultsAppender::Append(const ResultRow& row) {
  const std::string line = ResultLine(row);
  std::lock_guard<std::mutex> lock(mutex_);
  // One write() of the whole line: O_APPEND puts it at the end in one piece. A short write (disk
  // full) leaves a torn line that the next run drops, and is an error here.
  const ssize_t written = ::write(fd_, line.data(), line.size());
  if (written != static_cast<ssize_t>(line.size())) {
    throw FileError(path_, std::string("appending a row failed: ") +
                               (written < 0 ? std::strerror(errno) : "short write"));
  }
  ::fdatasync(fd_);
}

}  // namespace morphfit::batch
