#pragma once

// The batch-relative rule: a fit whose statistic is a robust outlier against its batch
// (beyond median + k * scaled MAD on the worse side) is rejected.
//
// The limits are computed once from a set of statistics and then applied fit by fit, so a large
// dataset can take its limits from a first shard (or a previous run) and stream the rest.

#include <string>
#include <vector>

#include "morphfit/solver/fit_statistics.h"
#include "morphfit/solver/quality_rule.h"

namespace morphfit::solver {

struct BatchLimit {
  std::string statistic;
  Worse worse = Worse::kHigher;
  int count = 0;  // fits of the batch that have the statistic (finite values)
  double median = 0;
  double scaled_mad = 0;
  double limit = 0;  // median +- k * scaled_mad; the first rejected value
};

// One limit per rule.outlier_statistics entry that has at least rule.outlier_min_batch finite
// values and a non-zero MAD (a constant statistic has no outliers to speak of). Empty when
// rule.outlier_k is 0.
std::vector<BatchLimit> ComputeBatchLimits(const std::vector<FitStatistics>& batch,
                                           const QualityRule& rule);

// Appends an "outlier_k" reason to `quality` for every limit the fit's statistic reaches.
void AddBatchOutlierReasons(const FitStatistics& statistics, const std::vector<BatchLimit>& limits,
                            Quality& quality);

// Absolute rule plus batch-relative rule for every fit of the batch, in order.
std::vector<Quality> AssessBatch(const std::vector<FitStatistics>& batch, const QualityRule& rule);

}  // namespace morphfit::solver
