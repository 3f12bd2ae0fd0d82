#pragma once

#include <string>
#include <vector>

#include "morphfit/batch/results_table.h"
#include "morphfit/solver/batch_outliers.h"
#include "morphfit/solver/quality_rule.h"

namespace morphfit::batch {

inline constexpr const char* kBatchLimitsFileName = "batch_limits.json";

// A statistic of rule.outlier_statistics that got no limit, and why.
struct SkippedBatchStatistic {
  std::string statistic;
  int count = 0;    // fits with a finite value
  std::string why;  // "fewer finite values than outlier_min_batch (20)" or "scaled MAD is 0"
};

// What the batch pass decided (batch_limits.json and summary.md say the same).
struct BatchRuleOutcome {
  double outlier_k = 0;
  int outlier_min_batch = 0;
  int fits = 0;    // fits with statistics: the batch the limits come from (failed images are not)
  int failed = 0;  // images without a fit
  std::vector<solver::BatchLimit> limits;
  std::vector<int> beyond;  // per limit: fits whose statistic reaches it
  std::vector<SkippedBatchStatistic> skipped;
  int rejected = 0;        // fits with at least one outlier_k reason
  int rejected_alone = 0;  // of those, fits the absolute rule kept
  int rewritten = 0;       // fit.json files whose content changed
};

// The second pass of a batch: the batch-relative rule (solver/batch_outliers.h) over the complete
// results table `rows` of `results_dir` (each row's output folder relative to it).
//
// fit.json is the source of truth: it holds every statistic the rule can test at full precision
// (results.csv has ten of them to six digits) and the absolute rule's reasons. The limits are
// computed from the statistics of every fit that has them, kept or rejected, never from a
// verdict, so applying the pass again, or after a kill, gives the same files. Then, in this order,
// each file written atomically and only when its content changes:
//  1. every fit.json: solver::RecordBatchOutliers (the outlier_k reasons of an earlier pass are
//     replaced, the absolute rule's kept);
//  2. `results_dir`/batch_limits.json (removed when rule.outlier_k is 0);
//  3. `results_dir`/results.csv, whose verdict and reasons are re-read from each fit.json.
// A kill leaves every file old or new; running the pass again finishes it. With outlier_k 0 it
// only removes what an earlier pass with k > 0 added (normally nothing: it reads every fit.json
// once and changes no file). Throws morphfit::Error naming a fit.json that cannot be read or lacks
// the quality statistics.
BatchRuleOutcome ApplyBatchRule(const std::string& results_dir, const solver::QualityRule& rule,
                                std::vector<ResultRow>& rows);

// The pass's record: k, the batch, and per statistic count, median, scaled MAD, limit and fits
// beyond; pretty JSON with a trailing newline.
std::string BatchLimitsJson(const BatchRuleOutcome& outcome);

// The "Batch rule" section of summary.md.
std::string BatchRuleMarkdown(const BatchRuleOutcome& outcome);
// The same section for a run that does not apply the rule (a shard: --merge applies it).
std::string BatchRuleDeferredMarkdown(double outlier_k);

}  // namespace morphfit::batch
