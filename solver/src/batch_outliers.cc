#include "morphfit/solver/batch_outliers.h"

#include <cmath>

#include "morphfit/solver/robust_statistics.h"

namespace morphfit::solver {

std::vector<BatchLimit> ComputeBatchLimits(const std::vector<FitStatistics>& batch,
                                           const QualityRule& rule) {
  rule.Validate();
  std::vector<BatchLimit> limits;
  if (rule.outlier_k == 0) return limits;
  for (const std::string& name : rule.outlier_statistics) {
    const QualityStatistic& statistic = FindQualityStatistic(name);
    std::vector<double> values;
    for (const FitStatistics& fit : batch) {
      const std::optional<double> value = statistic.value(fit);
      if (value && std::isfinite(*value)) values.push_back(*value);
    }
    if (static_cast<int>(values.size()) < rule.outlier_min_batch) continue;
    BatchLimit limit;
    limit.statistic = name;
    limit.worse = statistic.worse;
    limit.count = static_cast<int>(values.size());
    limit.median = Median(values);
    limit.scaled_mad = ScaledMedianAbsoluteDeviation(values);
    if (!(limit.scaled_mad > 0)) continue;
    const double sign = statistic.worse == Worse::kHigher ? 1.0 : -1.0;
    limit.limit = limit.median + sign * rule.outlier_k * limit.scaled_mad;
    limits.push_back(limit);
  }
  return limits;
}

void AddBatchOutlierReasons(const FitStatistics& statistics, const std::vector<BatchLimit>& limits,
                            Quality& quality) {
  for (const BatchLimit& limit : limits) {
    const std::optional<double> value = FindQualityStatistic(limit.statistic).value(statistics);
    if (!value || !Fires(*value, limit.limit, limit.worse)) continue;
    quality.reasons.push_back(
        {"outlier_k", limit.statistic, *value, limit.limit, FiringComparison(*value, limit.worse)});
  }
}

std::vector<Quality> AssessBatch(const std::vector<FitStatistics>& batch, const QualityRule& rule) {
  const std::vector<BatchLimit> limits = ComputeBatchLimits(batch, rule);
  std::vector<Quality> qualities;
  qualities.reserve(batch.size());
  for (const FitStatistics& fit : batch) {
    Quality quality = Assess(fit, rule);
    AddBatchOutlierReasons(fit, limits, quality);
    qualities.push_back(std::move(quality));
  }
  return qualities;
}

}  // namespace morphfit::solver
