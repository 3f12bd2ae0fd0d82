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

}  // namespace morphfit::solver
