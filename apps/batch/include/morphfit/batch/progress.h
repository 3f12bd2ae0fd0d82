#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace morphfit::batch {

struct ProgressOptions {
  bool quiet = false;
  // A terminal gets a bar redrawn in place; anything else (a log file, Slurm's output) gets a
  // plain line every `plain_interval_seconds`.
  bool terminal = false;
  double bar_interval_seconds = 0.2;
  double plain_interval_seconds = 10.0;
  std::FILE* stream = stderr;
};

// Progress of a batch on stderr: done/total, kept/rejected/failed, images/s and ETA. The rate and
// the ETA count only the images processed by this run, not those resumed from an earlier one.
class ProgressReporter {
 public:
  explicit ProgressReporter(const ProgressOptions& options);

  // `total` jobs, of which `done` were finished by an earlier run with these counts.
  void Start(int total, int kept, int rejected, int failed);
  void Record(const std::string& verdict);  // thread-safe
  void Finish();

  // The status text without decoration, e.g. "120/200 kept 100 rejected 15 failed 5 | 9.8 img/s |
  // ETA 0:08"; public for tests.
  std::string StatusText() const;

 private:
  void Print(bool final_line);

  ProgressOptions options_;
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  int total_ = 0;
  int resumed_ = 0;
  int kept_ = 0;
  int rejected_ = 0;
  int failed_ = 0;
};

}  // namespace morphfit::batch
