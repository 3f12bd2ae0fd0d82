#pragma once

#include <string>
#include <vector>

#include "morphfit/batch/folder_lock.h"
#include "morphfit/batch/image_job.h"
#include "morphfit/batch/progress.h"
#include "morphfit/batch/results_table.h"
#include "morphfit/batch/run_record.h"
#include "morphfit/model/error.h"

namespace morphfit::batch {

// A rerun into an output folder made with other settings (the message lists the differences).
class RunMismatchError : public Error {
 public:
  using Error::Error;
};

// An output folder held by this process: created if needed, locked against a second
// morphfit-batch (flock, released by the kernel even after kill -9), checked against and stamped
// with run.json, and cleared of temporary files ("*.tmp.<pid>.<n>") that a killed run left.
class OutputFolder {
 public:
  // Throws RunMismatchError when run.json describes another run, unless `overwrite`: then the
  // old results table is discarded (per-image folders are overwritten as their images are redone).
  // A run that differs only in BatchRuleSettings() resumes (see batch_rule_changes()).
  // Throws morphfit::Error when the folder cannot be created or another process holds it.
  OutputFolder(const std::string& path, const RunRecord& record, bool overwrite);

  const std::string& path() const { return path_; }
  int removed_temporary_files() const { return removed_temporary_files_; }
  // "fit.outlier_k: '0' -> '3'" lines when run.json recorded another batch rule, else empty: the
  // finished fits stay, the batch pass re-decides them.
  const std::string& batch_rule_changes() const { return batch_rule_changes_; }

 private:
  std::string path_;
  FolderLock lock_;
  int removed_temporary_files_ = 0;
  std::string batch_rule_changes_;
};

struct BatchOptions {
  int threads = 0;            // 0: one per core
  bool retry_failed = false;  // redo images an earlier run recorded as failed

  void Validate() const;  // throws morphfit::Error
};

struct BatchResult {
  std::vector<ResultRow> rows;  // one per job, sorted by image
  int resumed = 0;              // rows carried over from an earlier run
  int processed = 0;            // images handled by this run
  double seconds = 0;           // wall time of this run
  int threads = 0;              // threads used
};

// Runs every job not finished yet and returns the complete table.
//
// A job is finished when results.csv has its row and, unless the row records a failure, its
// fit.json exists. Rows of unknown or unfinished images, repeated rows and a torn last line are
// dropped from results.csv before the run (an atomic rewrite); then each image is fitted on a
// pool of `threads` workers and its row appended as soon as its outputs are in place. At the end
// results.csv is rewritten sorted by image, so it does not depend on the thread count.
BatchResult RunBatch(const std::vector<ImageJob>& jobs, const ImageProcessor& processor,
                     const OutputFolder& folder, const BatchOptions& options,
                     ProgressReporter* progress = nullptr);

}  // namespace morphfit::batch
