// The batch pass (batch_rule_pass.h) on hand-made results folders: fit.json files written by the
// solver's own RecordQuality from chosen statistics, and their results.csv rows.

#include "morphfit/batch/batch_rule_pass.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "morphfit/batch/merge.h"
#include "morphfit/batch/run_record.h"
#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/solver/quality_json.h"
#include "shared_data.h"
#include "solver/quality_test_fixtures.h"

namespace morphfit::batch {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

std::string ReadBytes(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
}

json ReadJson(const fs::path& path) { return json::parse(ReadBytes(path)); }

}  // namespace

void PrintTo(const ResultRow& row, std::ostream* out) { *out << ResultLine(row); }

namespace {

// Every file under `root` (relative path -> content), temporary files left out.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.find(".tmp.") == std::string::npos) {
      files[fs::relative(entry.path(), root).string()] = ReadBytes(entry.path());
    }
  }
  return files;
}

// The files that differ between two snapshots ("" when none): names only, as the files are
// large and a failure should not print them.
std::string DifferingFiles(const std::map<std::string, std::string>& a,
                           const std::map<std::string, std::string>& b) {
  std::string names;
  for (const auto& [name, bytes] : a) {
    if (!b.count(name) || b.at(name) != bytes) names += name + " ";
  }
  for (const auto& [name, bytes] : b) {
    if (!a.count(name)) names += name + " ";
  }
  return names;
}

// Every absolute threshold on (far from the clean fits), the batch rule at k = 3 over its default
// statistics; batches of 10 are enough here.
solver::QualityRule Rule(double outlier_k) {
  solver::QualityRule rule = solver::testing::AllThresholdsRule();
  rule.outlier_k = outlier_k;
  rule.outlier_min_batch = 10;
  return rule;
}

// One fit of a hand-made batch: its landmark NME and face size decide everything.
struct HandMadeFit {
  std::string name;
  double landmark_rms_nme;
  double face_size_px = 200;
};

// What the pipeline writes: fit.json (decided by the absolute rule, recording `rule_in_file`) and
// the row morphfit-batch appends for it. `padding` numbers stand for the coefficients.
ResultRow WriteFit(const fs::path& out, const HandMadeFit& fit,
                   const solver::QualityRule& rule_in_file, int padding = 10) {
  solver::FitStatistics statistics = solver::testing::CleanStatistics();
  statistics.landmark_rms_nme = fit.landmark_rms_nme;
  statistics.face_size_px = fit.face_size_px;
  json fit_json = {{"program", {{"name", "morphfit"}}},
                   {"shape_coefficients", std::vector<double>(padding, 0.123456789)}};
  solver::RecordQuality(statistics, rule_in_file, solver::Assess(statistics, rule_in_file),
                        fit_json);
  fs::create_directories(out / fit.name);
  WriteFileAtomically((out / fit.name / "fit.json").string(), fit_json.dump(2) + "\n");
  ResultRow row;
  row.image = fit.name + ".png";
  row.expression_class = "Neutral";
  row.verdict = fit_json["verdict"].get<std::string>();
  for (const json& reason : fit_json["reasons"]) row.reasons.push_back(reason["name"]);
  row.statistics["landmark_nme"] = fit.landmark_rms_nme;
  row.seconds = 0.5;
  row.output = fit.name;
  return row;
}

ResultRow FailedRow(const std::string& name) {
  ResultRow row;
  row.image = name + ".png";
  row.expression_class = "Neutral";
  row.verdict = "failed";
  row.error = name + ".png: cannot read the image";
  return row;
}

// 20 ordinary fits (landmark NME 0.020-0.0245), "lone" at 0.06 (an outlier the absolute rule
// keeps: its threshold is 0.08), "both" at 0.30 (rejected by both rules), "small" ordinary but
// rejected for its face size, and two failed images.
std::vector<ResultRow> WriteHandMadeBatch(const fs::path& out, const solver::QualityRule& rule,
                                          int padding = 10) {
  std::vector<HandMadeFit> fits;
  for (int i = 0; i < 20; ++i) {
    fits.push_back({"fit" + std::to_string(100 + i), 0.020 + 0.0005 * (i % 10)});
  }
  fits.push_back({"lone", 0.06});
  fits.push_back({"both", 0.30});
  fits.push_back({"small", 0.021, 10});
  std::vector<ResultRow> rows = {FailedRow("broken1"), FailedRow("broken2")};
  for (const HandMadeFit& fit : fits) rows.push_back(WriteFit(out, fit, rule, padding));
  std::sort(rows.begin(), rows.end(),
            [](const ResultRow& a, const ResultRow& b) { return a.image < b.image; });
  WriteResultsTable((out / kResultsFileName).string(), rows);
  return ReadResultsTable((out / kResultsFileName).string());  // the statistics to six digits
}

const ResultRow& Row(const std::vector<ResultRow>& rows, const std::string& image) {
  for (const ResultRow& row : rows) {
    if (row.image == image) return row;
  }
  throw Error("no row " + image);
}

class BatchRulePassTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = morphfit::testing::MakeTempDir(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { fs::remove_all(out_); }

  fs::path out_;
};

TEST_F(BatchRulePassTest, PlantedOutlierIsRejectedWithItsReasonAndTheOthersKept) {
  std::vector<ResultRow> rows = WriteHandMadeBatch(out_, Rule(3));
  const BatchRuleOutcome outcome = ApplyBatchRule(out_.string(), Rule(3), rows);

  // Failed images are not part of the batch; the absolutely rejected fits are.
  EXPECT_EQ(outcome.fits, 23);
  EXPECT_EQ(outcome.failed, 2);
  // landmark_rms_nme gets a limit; the other default statistics are the same in every fit.
  ASSERT_EQ(outcome.limits.size(), 1u);
  const solver::BatchLimit& limit = outcome.limits[0];
  EXPECT_EQ(limit.statistic, "landmark_rms_nme");
  EXPECT_EQ(limit.count, 23);
  EXPECT_NEAR(limit.limit, limit.median + 3 * limit.scaled_mad, 1e-15);
  EXPECT_GT(limit.limit, 0.0245);  // every ordinary fit is below it ...
  EXPECT_LT(limit.limit, 0.06);    // ... and the planted outlier beyond
  EXPECT_EQ(outcome.beyond, std::vector<int>{2});
  ASSERT_EQ(outcome.skipped.size(), 3u);
  EXPECT_EQ(outcome.skipped[0].statistic, "shape_mahalanobis");
  EXPECT_EQ(outcome.skipped[0].why, "scaled MAD is 0");
  EXPECT_EQ(outcome.rejected, 2);
  EXPECT_EQ(outcome.rejected_alone, 1);

  // The rows, in memory and in results.csv.
  EXPECT_EQ(ReadResultsTable((out_ / kResultsFileName).string()), rows);
  EXPECT_EQ(Row(rows, "lone.png").verdict, "rejected");
  EXPECT_EQ(Row(rows, "lone.png").reasons, std::vector<std::string>{"outlier_k"});
  EXPECT_EQ(Row(rows, "both.png").reasons,
            (std::vector<std::string>{"max_landmark_nme", "outlier_k"}));
  EXPECT_EQ(Row(rows, "small.png").reasons, std::vector<std::string>{"min_face_size"});
  EXPECT_EQ(Row(rows, "broken1.png").verdict, "failed");
  for (const ResultRow& row : rows) {
    if (row.image.rfind("fit", 0) == 0) {
      EXPECT_EQ(row.verdict, "kept") << row.image;
    }
  }

  // fit.json: the verdict, and the reason with its value, limit, median and MAD.
  const json lone = ReadJson(out_ / "lone" / "fit.json");
  EXPECT_EQ(lone["verdict"], "rejected");
  ASSERT_EQ(lone["reasons"].size(), 1u);
  const json& reason = lone["reasons"][0];
  EXPECT_EQ(reason["name"], "outlier_k");
  EXPECT_EQ(reason["statistic"], "landmark_rms_nme");
  EXPECT_DOUBLE_EQ(reason["value"].get<double>(), 0.06);
  EXPECT_DOUBLE_EQ(reason["threshold"].get<double>(), limit.limit);
  EXPECT_EQ(reason["comparison"], ">=");
  EXPECT_DOUBLE_EQ(reason["median"].get<double>(), limit.median);
  EXPECT_DOUBLE_EQ(reason["scaled_mad"].get<double>(), limit.scaled_mad);
  EXPECT_EQ(reason["count"], 23);
  EXPECT_EQ(reason["k"], 3.0);
  EXPECT_EQ(lone["quality"]["batch"]["fits"], 23);
  EXPECT_EQ(ReadJson(out_ / "both" / "fit.json")["reasons"][0]["name"], "max_landmark_nme");
  const json kept = ReadJson(out_ / "fit100" / "fit.json");
  EXPECT_EQ(kept["verdict"], "kept");
  EXPECT_TRUE(kept["reasons"].empty());
  EXPECT_EQ(kept["quality"]["batch"]["limits"][0]["limit"].get<double>(), limit.limit);

  // batch_limits.json
  const json limits = ReadJson(out_ / kBatchLimitsFileName);
  EXPECT_EQ(limits["outlier_k"], 3.0);
  EXPECT_EQ(limits["fits"], 23);
  EXPECT_EQ(limits["failed"], 2);
  EXPECT_EQ(limits["limits"][0]["statistic"], "landmark_rms_nme");
  EXPECT_EQ(limits["limits"][0]["worse"], "higher");
  EXPECT_DOUBLE_EQ(limits["limits"][0]["median"].get<double>(), limit.median);
  EXPECT_DOUBLE_EQ(limits["limits"][0]["limit"].get<double>(), limit.limit);
  EXPECT_EQ(limits["limits"][0]["beyond"], 2);
  EXPECT_EQ(limits["skipped"].size(), 3u);
  EXPECT_EQ(limits["rejected_only_by_batch_rule"], 1);

  const std::string markdown = BatchRuleMarkdown(outcome);
  EXPECT_NE(markdown.find("| landmark_rms_nme | higher | 23 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("2 fits rejected by it, 1 of them by it alone"), std::string::npos);
}

TEST_F(BatchRulePassTest, ApplyingTheRuleTwiceChangesNothing) {
  std::vector<ResultRow> rows = WriteHandMadeBatch(out_, Rule(3));
  const BatchRuleOutcome first = ApplyBatchRule(out_.string(), Rule(3), rows);
  EXPECT_EQ(first.rewritten, 23);  // each gains "quality"."batch"; two gain a reason
  const auto once = Snapshot(out_);
  // The second pass starts from the table as the first left it (outliers already rejected).
  std::vector<ResultRow> again = ReadResultsTable((out_ / kResultsFileName).string());
  const BatchRuleOutcome second = ApplyBatchRule(out_.string(), Rule(3), again);
  EXPECT_EQ(second.rewritten, 0);
  EXPECT_EQ(second.limits[0].limit, first.limits[0].limit);
  EXPECT_EQ(DifferingFiles(Snapshot(out_), once), "");
  EXPECT_EQ(again, rows);
  EXPECT_EQ(ReadJson(out_ / "lone" / "fit.json")["reasons"].size(), 1u);
}

TEST_F(BatchRulePassTest, KZeroLeavesARunUntouched) {
  std::vector<ResultRow> rows = WriteHandMadeBatch(out_, Rule(0));
  const auto before = Snapshot(out_);
  const std::vector<ResultRow> rows_before = rows;
  const BatchRuleOutcome outcome = ApplyBatchRule(out_.string(), Rule(0), rows);
  EXPECT_TRUE(outcome.limits.empty());
  EXPECT_EQ(outcome.rewritten, 0);
  EXPECT_EQ(DifferingFiles(Snapshot(out_), before), "");
  EXPECT_EQ(rows, rows_before);
  EXPECT_FALSE(fs::exists(out_ / kBatchLimitsFileName));
  EXPECT_EQ(BatchRuleMarkdown(outcome),
            "\n## Batch rule (`--outlier_k`)\n\nOff (`--outlier_k=0`).\n");
}

TEST_F(BatchRulePassTest, AnotherKRedecidesAndKZeroRestoresTheAbsoluteRuleFiles) {
  std::vector<ResultRow> rows = WriteHandMadeBatch(out_, Rule(0));
  const auto absolute_only = Snapshot(out_);
  ApplyBatchRule(out_.string(), Rule(3), rows);
  EXPECT_EQ(Row(rows, "lone.png").verdict, "rejected");
  // A k so large that nothing is beyond: "lone" is kept again, "both" keeps its absolute reason.
  ApplyBatchRule(out_.string(), Rule(1000), rows);
  EXPECT_EQ(Row(rows, "lone.png").verdict, "kept");
  EXPECT_EQ(Row(rows, "both.png").reasons, std::vector<std::string>{"max_landmark_nme"});
  EXPECT_EQ(ReadJson(out_ / kBatchLimitsFileName)["outlier_k"], 1000.0);
  ApplyBatchRule(out_.string(), Rule(0), rows);
  EXPECT_EQ(DifferingFiles(Snapshot(out_), absolute_only), "");
}

TEST_F(BatchRulePassTest, SmallBatchGetsNoLimitAndSaysWhy) {
  solver::QualityRule rule = Rule(3);
  rule.outlier_min_batch = 24;  // the batch has 23 fits
  std::vector<ResultRow> rows = WriteHandMadeBatch(out_, rule);
  const BatchRuleOutcome outcome = ApplyBatchRule(out_.string(), rule, rows);
  EXPECT_TRUE(outcome.limits.empty());
  EXPECT_EQ(Row(rows, "lone.png").verdict, "kept");
  ASSERT_EQ(outcome.skipped.size(), 4u);
  EXPECT_EQ(outcome.skipped[0].why, "fewer finite values than outlier_min_batch (24)");
  EXPECT_EQ(ReadJson(out_ / "lone" / "fit.json")["quality"]["batch"]["limits"].size(), 0u);
}

TEST_F(BatchRulePassTest, AFitJsonWithoutStatisticsIsNamed) {
  std::vector<ResultRow> rows = WriteHandMadeBatch(out_, Rule(3));
  WriteFileAtomically((out_ / "fit105" / "fit.json").string(), "{\"verdict\": \"kept\"}\n");
  for (const double k : {3.0, 0.0}) {  // k = 0 does not read the statistics, but updates the file
    try {
      ApplyBatchRule(out_.string(), Rule(k), rows);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("fit105/fit.json"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(fs::exists(out_ / kBatchLimitsFileName));  // nothing was written
}

// A kill in the middle of the pass leaves each file old or new; the pass run again gives exactly
// what an uninterrupted pass gives.
TEST_F(BatchRulePassTest, KillDuringThePassLeavesOldOrNewFilesAndARerunFinishes) {
  // Large fit.json files (as real ones with their coefficients) make the pass last long enough
  // to be killed in the middle.
  constexpr int kPadding = 20000;
  const fs::path reference_dir = out_ / "reference", killed_dir = out_ / "killed";
  std::vector<ResultRow> reference_rows = WriteHandMadeBatch(reference_dir, Rule(0), kPadding);
  fs::copy(reference_dir, killed_dir, fs::copy_options::recursive);
  const auto old_files = Snapshot(killed_dir);
  ApplyBatchRule(reference_dir.string(), Rule(3), reference_rows);
  const auto new_files = Snapshot(reference_dir);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      std::vector<ResultRow> rows = ReadResultsTable((killed_dir / kResultsFileName).string());
      ApplyBatchRule(killed_dir.string(), Rule(3), rows);
    } catch (...) {
    }
    _exit(0);
  }
  // Kill it once the first fit.json (in table order) has been rewritten.
  const fs::path first = killed_dir / "both" / "fit.json";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline &&
         ReadBytes(first) == old_files.at("both/fit.json")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the pass finished before it was killed";

  const auto interrupted = Snapshot(killed_dir);
  int old_count = 0, new_count = 0;
  for (const auto& [name, bytes] : interrupted) {
    const bool is_old = old_files.count(name) && old_files.at(name) == bytes;
    const bool is_new = new_files.count(name) && new_files.at(name) == bytes;
    EXPECT_TRUE(is_old || is_new) << name << " is neither the old nor the new file";
    if (name.find("fit.json") != std::string::npos) {
      old_count += is_old && !is_new;
      new_count += is_new && !is_old;
    }
  }
  EXPECT_GT(new_count, 0);
  EXPECT_GT(old_count, 0) << "killed after the last fit.json";

  std::vector<ResultRow> rows = ReadResultsTable((killed_dir / kResultsFileName).string());
  ApplyBatchRule(killed_dir.string(), Rule(3), rows);
  EXPECT_EQ(DifferingFiles(Snapshot(killed_dir), new_files), "");
  EXPECT_EQ(rows, reference_rows);
}

// Shards: the rule belongs to the whole dataset. A fit that is an outlier within its own shard but
// not within the dataset is kept; one beyond the dataset's limit is rejected.
TEST_F(BatchRulePassTest, MergeAppliesTheRuleOverAllShards) {
  solver::QualityRule rule = Rule(3);
  rule.max_landmark_nme = solver::QualityRule::kOff;  // the batch rule alone decides
  std::vector<HandMadeFit> shard_fits[2];
  for (int i = 0; i < 12; ++i) {
    shard_fits[0].push_back({"a" + std::to_string(100 + i), 0.020 + 0.0002 * i});
    shard_fits[1].push_back({"b" + std::to_string(100 + i), 0.040 + 0.0002 * i});
  }
  shard_fits[0].push_back({"a_mild", 0.030});  // beyond shard a's spread, mid-dataset
  shard_fits[1].push_back({"b_far", 0.2});     // beyond the dataset's limit
  std::vector<std::string> shard_dirs;
  std::map<std::string, std::string> shard_tables;
  for (int index = 0; index < 2; ++index) {
    const fs::path dir = out_ / ("shard" + std::to_string(index));
    std::vector<ResultRow> rows;
    for (const HandMadeFit& fit : shard_fits[index]) rows.push_back(WriteFit(dir, fit, rule));
    WriteResultsTable((dir / kResultsFileName).string(), rows);
    RunRecord record;
    record.fit = {{"stages", "landmarks"}, {"outlier_k", "3"}};
    record.shard_index = index;
    record.num_shards = 2;
    record.num_jobs = static_cast<int>(rows.size());
    WriteRunRecord((dir / kRunFileName).string(), record);
    shard_dirs.push_back(dir.string());
    shard_tables[dir.string()] = ReadBytes(dir / kResultsFileName);
  }
  // Within shard a alone, a_mild is an outlier: the test tells the two batches apart.
  {
    std::vector<solver::FitStatistics> shard_a;
    for (const HandMadeFit& fit : shard_fits[0]) {
      shard_a.push_back(solver::testing::CleanStatistics());
      shard_a.back().landmark_rms_nme = fit.landmark_rms_nme;
    }
    ASSERT_EQ(solver::AssessBatch(shard_a, rule).back().verdict(), solver::Verdict::kRejected);
  }

  const fs::path merged_dir = out_ / "merged";
  MergedRun merged = MergeShards(shard_dirs, merged_dir.string());
  const BatchRuleOutcome outcome = ApplyBatchRule(merged_dir.string(), rule, merged.rows);
  ASSERT_EQ(outcome.limits.size(), 1u);
  EXPECT_EQ(outcome.limits[0].count, 26);  // every fit of both shards
  EXPECT_EQ(Row(merged.rows, "a_mild.png").verdict, "kept");
  EXPECT_EQ(Row(merged.rows, "b_far.png").reasons, std::vector<std::string>{"outlier_k"});
  EXPECT_EQ(outcome.rejected, 1);
  EXPECT_EQ(ReadResultsTable((merged_dir / kResultsFileName).string()), merged.rows);
  // The fit.json files stay in the shard folders and carry the dataset's decision; the shards'
  // own tables are left as the shards wrote them.
  EXPECT_EQ(ReadJson(out_ / "shard1" / "b_far" / "fit.json")["verdict"], "rejected");
  for (const std::string& dir : shard_dirs) {
    EXPECT_EQ(ReadBytes(fs::path(dir) / kResultsFileName), shard_tables[dir]);
  }
  EXPECT_TRUE(fs::exists(merged_dir / kBatchLimitsFileName));
}

}  // namespace
}  // namespace morphfit::batch
