#pragma once

// fit.json form of the quality statistics, the rule and the decision. Non-finite numbers are
// written as null (JSON has no NaN / inf) and read back as NaN. Keys keep their insertion order
// (nlohmann::ordered_json), as in the rest of fit.json.

#include <nlohmann/json.hpp>

#include "morphfit/solver/batch_outliers.h"
#include "morphfit/solver/fit_statistics.h"
#include "morphfit/solver/quality_rule.h"

namespace morphfit::solver {

nlohmann::ordered_json ToJson(const FitStatistics& statistics);
// Reads what ToJson wrote; throws morphfit::Error naming the missing or mistyped key.
FitStatistics FitStatisticsFromJson(const nlohmann::ordered_json& json);

nlohmann::ordered_json ToJson(const QualityRule& rule);
nlohmann::ordered_json ToJson(const QualityReason& reason);
nlohmann::ordered_json ToJson(const BatchLimit& limit);

// Writes the decision into a fit.json object: top-level "verdict" ("kept" / "rejected") and
// "reasons" (every reason, empty when kept), and "quality": {"statistics", "rule"}.
void RecordQuality(const FitStatistics& statistics, const QualityRule& rule, const Quality& quality,
                   nlohmann::ordered_json& fit_json);

// Records the batch-relative rule's decision in a fit.json object RecordQuality wrote, so that
// applying it again (or with another k) gives the same file as applying it once: drops the
// "outlier_k" reasons an earlier application left, appends one per limit the fit's statistic
// reaches (the reason's fields plus the limit's "median", "scaled_mad", "count" and "k"), sets
// "verdict" from the remaining and new reasons, writes the batch part of the rule into
// "quality"."rule", and "quality"."batch" = {"outlier_k", "fits", "limits"} (`batch_fits`: the
// fits the limits were computed over). With rule.outlier_k 0 "quality"."batch" is removed: the
// file then says what the absolute rule alone decided. Throws morphfit::Error when `fit_json`
// lacks "reasons" or "quality".
void RecordBatchOutliers(const FitStatistics& statistics, const QualityRule& rule,
                         const std::vector<BatchLimit>& limits, int batch_fits,
                         nlohmann::ordered_json& fit_json);

}  // namespace morphfit::solver
