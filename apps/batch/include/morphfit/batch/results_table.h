#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace morphfit::batch {

inline constexpr const char* kResultsFileName = "results.csv";

// Statistics copied from each fit into results.csv, in column order. A fit that lacks one leaves
// its cell empty.
const std::vector<std::string>& StatisticColumns();

// One line of results.csv: one image and what became of it.
struct ResultRow {
  std::string image;  // relative path in the dataset (the key)
  std::string expression_class;
  std::string verdict;                       // "kept", "rejected" or "failed"
  std::vector<std::string> reasons;          // rejection reasons
  std::map<std::string, double> statistics;  // keys from StatisticColumns()
  double seconds = 0;                        // wall time of the fit
  std::string output;  // folder of the per-image outputs, relative to results.csv
  std::string error;   // failure message

  bool operator==(const ResultRow& other) const;
};

// The header line and a row's line (each ending in '\n').
std::string ResultsHeaderLine();
std::string ResultLine(const ResultRow& row);

// Reads a results table. A last line without its '\n' is a write cut short by a kill: it is
// dropped and counted in `torn_lines`. Throws morphfit::Error naming the file and line for any
// other malformed content.
std::vector<ResultRow> ReadResultsTable(const std::string& path, int* torn_lines = nullptr);
// Writes the header and the rows, atomically.
void WriteResultsTable(const std::string& path, const std::vector<ResultRow>& rows);

// Appends rows to a results table that other runs may have been killed while writing: each row
// goes out as a single write() of a complete line on an O_APPEND descriptor, then fdatasync, so a
// kill leaves every earlier row intact and at most a torn last line (which ReadResultsTable
// drops). The file must exist (write it with WriteResultsTable first). Thread-safe.
class ResultsAppender {
 public:
  explicit ResultsAppender(const std::string& path);
  ~ResultsAppender();
  ResultsAppender(const ResultsAppender&) = delete;
  ResultsAppender& operator=(const ResultsAppender&) = delete;

  void Append(const ResultRow& row);

 private:
  std::string path_;
  int fd_ = -1;
  std::mutex mutex_;
};

}  // namespace morphfit::batch
