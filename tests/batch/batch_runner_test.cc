#include "morphfit/batch/batch_runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "batch/fake_processor.h"
#include "morphfit/batch/manifest.h"
#include "morphfit/batch/merge.h"
#include "morphfit/batch/report.h"
#include "morphfit/batch/summary.h"
#include "shared_data.h"

namespace morphfit::batch {
namespace {

namespace fs = std::filesystem;
using morphfit::testing::MakeTempDir;

std::string ReadBytes(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
}

RunRecord Record(const std::string& stages = "landmarks") {
  RunRecord record;
  record.fit = {{"stages", stages}};
  record.input = {{"kind", "affectnet"}};
  return record;
}

std::vector<std::string> TemporaryFiles(const std::string& root) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

// Every job has exactly one row in OUT/results.csv, and every kept or rejected row its fit.json.
void ExpectOneRowPerJob(const std::vector<ImageJob>& jobs, const std::string& out) {
  const std::vector<ResultRow> rows = ReadResultsTable(out + "/results.csv");
  std::map<std::string, int> count;
  for (const ResultRow& row : rows) {
    ++count[row.image];
    if (row.verdict != "failed") {
      EXPECT_TRUE(fs::is_regular_file(out + "/" + row.output + "/fit.json")) << row.image;
    }
  }
  EXPECT_EQ(rows.size(), jobs.size());
  for (const ImageJob& job : jobs) EXPECT_EQ(count[job.relative_path], 1) << job.relative_path;
}

class BatchRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    const std::string csv = testing::WriteAffectNetDataset(root_ + "/data", 40);
    jobs_ = ReadAffectNetManifest(csv, root_ + "/data/images", {}).jobs;
  }

  BatchResult Run(const std::string& out, const std::vector<ImageJob>& jobs, int threads,
                  const RunRecord& record = Record(), std::atomic<int>* calls = nullptr,
                  bool retry_failed = false) {
    OutputFolder folder(out, record, false);
    testing::FakeProcessor processor;
    processor.calls = calls;
    BatchOptions options;
    options.threads = threads;
    options.retry_failed = retry_failed;
    return RunBatch(jobs, processor, folder, options);
  }

  std::string root_;
  std::vector<ImageJob> jobs_;
};

TEST_F(BatchRunnerTest, CountsPerClassAndRecordsFailuresWhileTheRestCompletes) {
  const std::string out = root_ + "/out";
  const BatchResult result = Run(out, jobs_, 2);
  ExpectOneRowPerJob(jobs_, out);
  const BatchSummary summary = Summarize(result.rows);
  // 40 rows cycle over codes 0-10: 0-6 appear 4 times, 7-10 3 times; 8-10 are skipped. Add the
  // broken row (class unknown) and the corrupt image (class Happy, code 1).
  EXPECT_EQ(summary.total.input, 40 - 9 + 2);
  EXPECT_EQ(summary.per_class.at("Neutral").input, 4);
  EXPECT_EQ(summary.per_class.at("Happy").input, 4 + 1);
  EXPECT_EQ(summary.per_class.at("Contempt").input, 3);
  EXPECT_EQ(summary.per_class.at(kUnlabelledClass).input, 1);  // the broken row
  EXPECT_EQ(summary.total.failed, 2);
  int rejected = 0;
  for (const ImageJob& job : jobs_) {
    // The fake pipeline rejects the dark images, index % 4 == 3.
    const std::string name = fs::path(job.relative_path).stem().string();
    if (name.rfind("img", 0) == 0 && (std::stoi(name.substr(3)) - 1000) % 4 == 3) ++rejected;
  }
  EXPECT_EQ(summary.total.rejected, rejected);
  EXPECT_EQ(summary.total.kept, summary.total.input - rejected - 2);
  std::map<std::string, std::string> errors;
  for (const ResultRow& row : result.rows) errors[row.image] = row.error;
  EXPECT_NE(errors["9/corrupt.png"].find("cannot read the image"), std::string::npos);
  EXPECT_NE(errors["manifest.csv:line 42"].find("manifest.csv line 42"), std::string::npos);
  EXPECT_FALSE(fs::exists(out + "/9/corrupt"));  // a failed fit leaves no folder behind
  EXPECT_TRUE(TemporaryFiles(out).empty());
}

TEST_F(BatchRunnerTest, ResultsDoNotDependOnTheThreadCount) {
  const BatchResult one = Run(root_ + "/one", jobs_, 1);
  const BatchResult three = Run(root_ + "/three", jobs_, 3);
  EXPECT_EQ(three.threads, 3);
  ASSERT_EQ(one.rows.size(), three.rows.size());
  for (size_t i = 0; i < one.rows.size(); ++i) {
    ResultRow a = one.rows[i], b = three.rows[i];
    a.seconds = b.seconds = 0;
    EXPECT_EQ(a, b) << a.image;
    if (a.verdict != "failed") {
      EXPECT_EQ(ReadBytes(root_ + "/one/" + a.output + "/depth.png"),
                ReadBytes(root_ + "/three/" + b.output + "/depth.png"));
    }
  }
}

TEST_F(BatchRunnerTest, ResumesAfterSigkillWithOneRowPerImageAndNoPartialFiles) {
  const std::string out = root_ + "/out";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child runs the batch slowly until the parent kills it; it never returns into gtest.
    try {
      OutputFolder folder(out, Record(), false);
      testing::FakeProcessor processor;
      processor.sleep_seconds = 0.05;
      BatchOptions options;
      options.threads = 2;
      RunBatch(jobs_, processor, folder, options);
    } catch (...) {
    }
    _exit(0);
  }
  // Kill it once some rows are in, in the middle of the run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream stream(out + "/results.csv");
    const std::string text((std::istreambuf_iterator<char>(stream)),
                           std::istreambuf_iterator<char>());
    if (std::count(text.begin(), text.end(), '\n') >= 8) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before it was killed";

  // What a kill can leave at worst: a torn row and a half-written temporary file.
  std::ofstream(out + "/results.csv", std::ios::app) << "0/img1003.png,Surprise,ke";
  std::ofstream(out + "/0/img1000.tmp.99999.7") << "half";
  fs::create_directories(out + "/0/.img1003.tmp.99999.140000.123456");  // a staged output folder
  std::ofstream(out + "/0/.img1003.tmp.99999.140000.123456/depth.png") << "half";
  int torn = 0;
  const std::vector<ResultRow> before = ReadResultsTable(out + "/results.csv", &torn);
  EXPECT_EQ(torn, 1);
  ASSERT_GE(before.size(), 7u);  // the header and 7 rows were in before the kill
  ASSERT_LT(before.size(), jobs_.size());

  std::atomic<int> calls{0};
  const BatchResult result = Run(out, jobs_, 2, Record(), &calls);
  EXPECT_EQ(result.resumed, static_cast<int>(before.size()));
  int valid_remaining = 0;
  std::set<std::string> done;
  for (const ResultRow& row : before) done.insert(row.image);
  for (const ImageJob& job : jobs_) {
    if (!done.count(job.relative_path) && job.manifest_error.empty()) ++valid_remaining;
  }
  EXPECT_EQ(calls.load(), valid_remaining);  // finished images are not redone
  ExpectOneRowPerJob(jobs_, out);
  EXPECT_TRUE(TemporaryFiles(out).empty());
}

TEST_F(BatchRunnerTest, RedoesRowsWithoutFitJsonAndFailuresOnlyWhenAsked) {
  const std::string out = root_ + "/out";
  Run(out, jobs_, 2);
  fs::remove(out + "/1/img1001/fit.json");
  std::atomic<int> calls{0};
  Run(out, jobs_, 2, Record(), &calls);
  EXPECT_EQ(calls.load(), 1);
  calls = 0;
  Run(out, jobs_, 2, Record(), &calls, /*retry_failed=*/true);
  EXPECT_EQ(calls.load(), 1);  // the corrupt image; the broken row never reaches the pipeline
  ExpectOneRowPerJob(jobs_, out);
}

// What a machine crash can leave behind renames that were never fsync'ed: a fit.json or a map
// with its name but no data, or a fit.json cut short. A resumed batch redoes those images.
TEST_F(BatchRunnerTest, RedoesImagesWhoseOutputsACrashLeftEmptyOrCutShort) {
  const std::string out = root_ + "/out";
  Run(out, jobs_, 2);
  const std::vector<std::string> damaged = {"1/img1001/fit.json", "1/img1007/depth.png",
                                            "1/img1004/fit.json"};
  fs::resize_file(out + "/" + damaged[0], 0);
  fs::resize_file(out + "/" + damaged[1], 0);
  const std::string cut = out + "/" + damaged[2];
  fs::resize_file(cut, fs::file_size(cut) / 2);
  std::atomic<int> calls{0};
  const BatchResult result = Run(out, jobs_, 2, Record(), &calls);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(result.processed, 3);
  for (const std::string& file : damaged) EXPECT_GT(fs::file_size(out + "/" + file), 0U) << file;
  EXPECT_EQ(ReadBytes(cut).back(), '\n');  // written whole again
  ExpectOneRowPerJob(jobs_, out);
  calls = 0;
  Run(out, jobs_, 2, Record(), &calls);  // intact outputs are trusted
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(BatchRunnerTest, ChangedSettingsAreRefusedUnlessOverwrite) {
  const std::string out = root_ + "/out";
  Run(out, jobs_, 2);
  try {
    OutputFolder folder(out, Record("photometric"), false);
    FAIL() << "a rerun with other fit settings was accepted";
  } catch (const RunMismatchError& e) {
    EXPECT_NE(std::string(e.what()).find("fit.stages: 'landmarks' -> 'photometric'"),
              std::string::npos)
        << e.what();
  }
  std::atomic<int> calls{0};
  {
    OutputFolder folder(out, Record("photometric"), true);
    testing::FakeProcessor processor;
    processor.calls = &calls;
    RunBatch(jobs_, processor, folder, {});
  }
  EXPECT_EQ(calls.load(), static_cast<int>(jobs_.size()) - 1);  // all again but the broken row
  EXPECT_EQ(ReadRunRecord(out + "/run.json").fit.at("stages"), "photometric");
  ExpectOneRowPerJob(jobs_, out);
}

// A folder made before a fit setting existed has no entry for it in run.json.
TEST_F(BatchRunnerTest, AFolderFromBeforeANewSettingResumesOnlyAtItsDefault) {
  const std::string out = root_ + "/out";
  Run(out, jobs_, 2);
  RunRecord newer = Record();
  newer.fit["new_setting"] = "true";
  newer.fit_defaults["new_setting"] = "true";
  std::atomic<int> calls{0};
  Run(out, jobs_, 2, newer, &calls);
  EXPECT_EQ(calls.load(), 0);  // resumed: every image was finished
  EXPECT_EQ(ReadRunRecord(out + "/run.json").fit.at("new_setting"), "true");

  const std::string older = root_ + "/older";
  Run(older, jobs_, 2);
  newer.fit["new_setting"] = "false";
  try {
    OutputFolder folder(older, newer, false);
    FAIL() << "a rerun with a new setting off its default resumed an older folder";
  } catch (const RunMismatchError& e) {
    EXPECT_NE(std::string(e.what()).find("fit.new_setting: (unset) -> 'false'"), std::string::npos)
        << e.what();
  }
  // A setting the rerun no longer has still counts as a change.
  try {
    OutputFolder folder(out, Record(), false);
    FAIL() << "a rerun without a recorded setting was accepted";
  } catch (const RunMismatchError& e) {
    EXPECT_NE(std::string(e.what()).find("fit.new_setting: 'true' -> (unset)"), std::string::npos)
        << e.what();
  }
}

TEST_F(BatchRunnerTest, ASecondProcessCannotWriteIntoTheSameFolder) {
  const std::string out = root_ + "/out";
  OutputFolder first(out, Record(), false);
  EXPECT_THROW(OutputFolder(out, Record(), false), Error);
}

// Runs the jobs as `count` shards into root/shard0.. and returns their folders.
std::vector<std::string> RunShards(const std::vector<ImageJob>& jobs, int count,
                                   const std::string& root) {
  std::vector<std::string> shard_dirs;
  for (int index = 0; index < count; ++index) {
    RunRecord record = Record();
    record.shard_index = index;
    record.num_shards = count;
    const std::vector<ImageJob> shard = SelectShard(jobs, index, count);
    record.num_jobs = static_cast<int>(shard.size());
    shard_dirs.push_back(root + "/shard" + std::to_string(index));
    OutputFolder folder(shard_dirs.back(), record, false);
    testing::FakeProcessor processor;
    BatchOptions options;
    options.threads = 1;
    RunBatch(shard, processor, folder, options);
  }
  return shard_dirs;
}

// The message of the morphfit::Error MergeShards throws, or "" when it throws none.
std::string MergeError(const std::vector<std::string>& shard_dirs, const std::string& out_dir) {
  try {
    MergeShards(shard_dirs, out_dir);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST_F(BatchRunnerTest, ShardsMergeIntoTheWholeRun) {
  const BatchResult whole = Run(root_ + "/whole", jobs_, 2);
  const std::vector<std::string> shard_dirs = RunShards(jobs_, 3, root_);
  // A missing shard is an error, not a smaller dataset.
  EXPECT_NE(MergeError({shard_dirs[0], shard_dirs[1]}, root_ + "/partial")
                .find("shard(s) 2 of 3 are not among the folders given"),
            std::string::npos);

  MergedRun merged = MergeShards(shard_dirs, root_ + "/merged");
  merged.locks.clear();
  ASSERT_EQ(merged.rows.size(), whole.rows.size());
  EXPECT_EQ(ReadResultsTable(root_ + "/merged/results.csv").size(), whole.rows.size());
  for (size_t i = 0; i < whole.rows.size(); ++i) {
    ResultRow a = whole.rows[i], b = merged.rows[i];
    EXPECT_EQ(a.image, b.image);
    if (a.verdict != "failed") {
      // The merged table points into the shard folders, relative to the merge folder.
      EXPECT_EQ(b.output.rfind("../shard", 0), 0u) << b.output;
      EXPECT_EQ(ReadBytes(root_ + "/whole/" + a.output + "/depth.png"),
                ReadBytes(root_ + "/merged/" + b.output + "/depth.png"));
    }
    a.seconds = b.seconds = 0;
    a.output = b.output = "";
    EXPECT_EQ(a, b);
  }
  EXPECT_EQ(ReadRunRecord(root_ + "/merged/run.json").merged_from.size(), 3u);

  const std::string markdown =
      WriteBatchReport(root_ + "/merged", merged.rows, root_ + "/data/images", "merged");
  // Equal up to the fit times.
  const std::string whole_markdown = SummaryMarkdown(Summarize(whole.rows), "merged");
  EXPECT_EQ(markdown.substr(0, markdown.find("## Fit time")),
            whole_markdown.substr(0, whole_markdown.find("## Fit time")));
  EXPECT_TRUE(fs::is_regular_file(root_ + "/merged/summary.md"));
  const cv::Mat sheet = cv::imread(root_ + "/merged/contact_sheet.png");
  EXPECT_FALSE(sheet.empty());

  // An unfinished shard is refused.
  fs::remove(shard_dirs[1] + "/results.csv");
  WriteResultsTable(shard_dirs[1] + "/results.csv", {});
  EXPECT_NE(MergeError(shard_dirs, root_ + "/merged2").find("unfinished shard: 0 of"),
            std::string::npos);
}

TEST_F(BatchRunnerTest, AMergeNeitherOverwritesABatchFolderNorRunsBesideAWriter) {
  Run(root_ + "/whole", jobs_, 2);
  const std::vector<std::string> shard_dirs = RunShards(jobs_, 2, root_);
  const std::string shard_table = ReadBytes(shard_dirs[0] + "/results.csv");
  const std::string whole_table = ReadBytes(root_ + "/whole/results.csv");

  EXPECT_NE(MergeError(shard_dirs, shard_dirs[0]).find("is also one of the shard folders"),
            std::string::npos);
  EXPECT_NE(MergeError(shard_dirs, root_ + "/whole").find("holds a batch run, not a merge"),
            std::string::npos);
  EXPECT_EQ(ReadBytes(shard_dirs[0] + "/results.csv"), shard_table);
  EXPECT_EQ(ReadBytes(root_ + "/whole/results.csv"), whole_table);
  EXPECT_EQ(ReadRunRecord(shard_dirs[0] + "/run.json").shard_index, 0);

  {
    // A shard being resumed (say with --retry_failed) is written to.
    const RunRecord record = ReadRunRecord(shard_dirs[1] + "/run.json");
    OutputFolder resumed(shard_dirs[1], record, false);
    EXPECT_NE(MergeError(shard_dirs, root_ + "/merged")
                  .find(shard_dirs[1] + ": another morphfit-batch is writing"),
              std::string::npos);
  }
  {
    // While a merge holds the shards (its batch rule pass rewrites their fit.json files), no
    // batch or second merge writes there.
    const MergedRun merged = MergeShards(shard_dirs, root_ + "/merged");
    const RunRecord record = ReadRunRecord(shard_dirs[0] + "/run.json");
    EXPECT_THROW(OutputFolder(shard_dirs[0], record, false), Error);
    EXPECT_NE(MergeError(shard_dirs, root_ + "/merged").find("another morphfit-batch is writing"),
              std::string::npos);
  }
  // A merge folder may be merged into again.
  EXPECT_EQ(MergeShards(shard_dirs, root_ + "/merged").rows.size(), jobs_.size());
}

}  // namespace
}  // namespace morphfit::batch
