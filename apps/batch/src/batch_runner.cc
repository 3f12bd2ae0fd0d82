#include "morphfit/batch/batch_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <map>
#include <regex>
#include <thread>

#include <glog/logging.h>

#include "finished_output.h"

namespace morphfit::batch {

namespace fs = std::filesystem;

namespace {

// Leftovers of interrupted writes: WriteFileAtomically's "<name>.tmp.<pid>.<n>" files and the
// pipeline's staged output folders ".<name>.tmp.<pid>.<...>" and replaced
// ".<name>.old.<pid>.<...>".
bool IsTemporaryFile(const std::string& filename) {
  static const std::regex temporary(R"(.*\.tmp\.[0-9]+\.[0-9]+)");
  return std::regex_match(filename, temporary);
}
bool IsTemporaryFolder(const std::string& filename) {
  static const std::regex temporary(R"(\..+\.(tmp|old)\.[0-9]+(\.[0-9]+)+)");
  return std::regex_match(filename, temporary);
}

int RemoveTemporaryFiles(const std::string& root) {
  std::vector<fs::path> leftovers;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && IsTemporaryFolder(name)) {
      leftovers.push_back(it->path());
      it.disable_recursion_pending();
    } else if (it->is_regular_file() && IsTemporaryFile(name)) {
      leftovers.push_back(it->path());
    }
  }
  if (error) throw FileError(root, "cannot list the output folder: " + error.message());
  for (const fs::path& path : leftovers) {
    LOG(INFO) << "removing what an interrupted run left: " << path;
    fs::remove_all(path);
  }
  return static_cast<int>(leftovers.size());
}

// Removes the files (not the sub-folders: they may hold other images' outputs) that a failed fit
// left in its folder, and the folder when that leaves it empty.
void ClearFailedOutputs(const fs::path& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) return;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.is_regular_file()) fs::remove(entry.path(), error);
  }
  if (fs::is_empty(folder, error)) fs::remove(folder, error);
}

ResultRow ProcessJob(const ImageJob& job, const ImageProcessor& processor, const fs::path& out) {
  ResultRow row;
  row.image = job.relative_path;
  row.expression_class = job.expression_class;
  if (!job.manifest_error.empty()) {
    row.verdict = "failed";
    row.error = job.manifest_error;
    return row;
  }
  const fs::path folder = out / job.output_relative;
  const auto start = std::chrono::steady_clock::now();
  try {
    fs::create_directories(folder.parent_path());
    const ImageOutcome outcome = processor(job, folder.string());
    if (outcome.verdict != "kept" && outcome.verdict != "rejected") {
      throw Error(job.source + ": the pipeline returned verdict '" + outcome.verdict + "'");
    }
    if (!fs::is_regular_file(folder / "fit.json")) {
      throw Error(job.source + ": the pipeline wrote no fit.json");
    }
    row.verdict = outcome.verdict;
    row.reasons = outcome.reasons;
    row.statistics = outcome.statistics;
    row.output = job.output_relative;
  } catch (const std::exception& e) {
    row.verdict = "failed";
    row.error = e.what();
    ClearFailedOutputs(folder);
  } catch (...) {
    row.verdict = "failed";
    row.error = job.source + ": unknown exception";
    ClearFailedOutputs(folder);
  }
  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return row;
}

void SortByImage(std::vector<ResultRow>& rows) {
  std::sort(rows.begin(), rows.end(),
            [](const ResultRow& a, const ResultRow& b) { return a.image < b.image; });
}

// `path`, created if needed.
const std::string& CreatedFolder(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) throw FileError(path, "cannot create the output folder: " + error.message());
  return path;
}

}  // namespace

OutputFolder::OutputFolder(const std::string& path, const RunRecord& record, bool overwrite)
    : path_(path), lock_(CreatedFolder(path)) {
  const std::string run_path = (fs::path(path) / kRunFileName).string();
  if (fs::exists(run_path)) {
    const RunRecord previous = ReadRunRecord(run_path);
    const std::string differences = previous.DifferencesFrom(record, BatchRuleSettings());
    if (differences.empty()) batch_rule_changes_ = previous.DifferencesFrom(record);
    if (!differences.empty()) {
      if (!overwrite) {
        std::string one_line = differences;
        one_line.pop_back();
        for (char& c : one_line) c = c == '\n' ? ';' : c;
        throw RunMismatchError(run_path + ": this folder holds a run with other settings (" +
                               one_line + "); use --overwrite to redo it, or another --out");
      }
      LOG(WARNING) << run_path << ": overwriting a run with other settings:\n" << differences;
      fs::remove(fs::path(path) / kResultsFileName);
    }
  }
  removed_temporary_files_ = RemoveTemporaryFiles(path);
  WriteRunRecord(run_path, record);
}

void BatchOptions::Validate() const {
  if (threads < 0) throw Error("--threads must be 0 (all cores) or positive");
}

BatchResult RunBatch(const std::vector<ImageJob>& jobs, const ImageProcessor& processor,
                     const OutputFolder& folder, const BatchOptions& options,
                     ProgressReporter* progress) {
  options.Validate();
  const auto start = std::chrono::steady_clock::now();
  const fs::path out(folder.path());
  const std::string results_path = (out / kResultsFileName).string();

  // What an earlier run finished.
  std::map<std::string, const ImageJob*> job_by_image;
  for (const ImageJob& job : jobs) job_by_image[job.relative_path] = &job;
  std::map<std::string, ResultRow> finished;
  if (fs::exists(results_path)) {
    int torn = 0;
    int dropped = 0;
    for (ResultRow& row : ReadResultsTable(results_path, &torn)) {
      const bool known = job_by_image.count(row.image) > 0;
      bool complete = row.verdict == "failed" && !options.retry_failed;
      if (known && row.verdict != "failed") {
        std::string why;
        complete = FinishedOutputIsIntact(out / row.output, &why);
        if (!complete) LOG(WARNING) << row.image << ": redone, its output is not intact: " << why;
      }
      if (known && complete && !finished.count(row.image)) {
        finished.emplace(row.image, std::move(row));
      } else {
        ++dropped;
      }
    }
    if (torn > 0 || dropped > 0) {
      LOG(INFO) << results_path << ": dropped " << torn << " torn line(s) and " << dropped
                << " row(s) of unknown, unfinished, damaged, repeated or retried images";
    }
  }
  BatchResult result;
  for (auto& [image, row] : finished) result.rows.push_back(row);
  WriteResultsTable(results_path, result.rows);
  result.resumed = static_cast<int>(result.rows.size());

  std::vector<const ImageJob*> pending;
  for (const ImageJob& job : jobs) {
    if (!finished.count(job.relative_path)) pending.push_back(&job);
  }
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, std::min<int>(threads, static_cast<int>(pending.size())));
  result.threads = threads;
  if (progress) {
    int counts[3] = {0, 0, 0};
    for (const ResultRow& row : result.rows) {
      ++counts[row.verdict == "kept" ? 0 : row.verdict == "rejected" ? 1 : 2];
    }
    progress->Start(static_cast<int>(jobs.size()), counts[0], counts[1], counts[2]);
  }

  ResultsAppender appender(results_path);
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;  // guards result.rows and first_error
  std::exception_ptr first_error;
  auto work = [&]() {
    for (size_t i = next++; i < pending.size() && !stop; i = next++) {
      const ImageJob& job = *pending[i];
      ResultRow row = ProcessJob(job, processor, out);
      if (row.verdict == "failed") {
        LOG(WARNING) << job.relative_path << ": failed: " << row.error;
      } else {
        VLOG(1) << job.relative_path << ": " << row.verdict << " in " << row.seconds << " s";
      }
      try {
        appender.Append(row);
      } catch (...) {
        // The table cannot take rows (disk full?): stop; the images done so far are kept.
        std::lock_guard<std::mutex> lock(mutex);
        if (!first_error) first_error = std::current_exception();
        stop = true;
        return;
      }
      const std::string verdict = row.verdict;
      {
        std::lock_guard<std::mutex> lock(mutex);
        result.rows.push_back(std::move(row));
        ++result.processed;
      }
      if (progress) progress->Record(verdict);
    }
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back(work);
  for (std::thread& worker : workers) worker.join();
  if (first_error) std::rethrow_exception(first_error);

  SortByImage(result.rows);
  WriteResultsTable(results_path, result.rows);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) progress->Finish();
  return result;
}

}  // namespace morphfit::batch
