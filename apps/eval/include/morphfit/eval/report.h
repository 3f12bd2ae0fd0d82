#pragma once

// The rule applied to evaluated cases, and what morphfit-eval prints and writes about it.

#include <string>
#include <vector>

#include "morphfit/eval/calibration.h"
#include "morphfit/eval/evaluated_case.h"
#include "morphfit/eval/plots.h"
#include "morphfit/solver/quality_rule.h"

namespace morphfit::eval {

struct Decisions {
  std::vector<solver::Quality> qualities;  // per case; a failed fit gets a "fit_failed" reason
  std::vector<bool> rejected;
  std::vector<bool> bad;
  DecisionCounts counts;
};
Decisions Decide(const std::vector<EvaluatedCase>& cases, const solver::QualityRule& rule);

// Every rule statistic's values over the cases (NaN where missing) with its threshold and ROC AUC
// (scores oriented so that higher is worse).
std::vector<StatisticSample> CollectStatistics(const std::vector<EvaluatedCase>& cases,
                                               const std::vector<bool>& bad,
                                               const solver::QualityRule& rule);

// The stdout table: decisions against good/bad, precision / recall / false rejection rate, the
// breakdown by case kind, each statistic's AUC and threshold, and how often each reason fired.
std::string FormatReport(const std::vector<EvaluatedCase>& cases, const Decisions& decisions,
                         const std::vector<StatisticSample>& statistics,
                         const std::string& rule_source);

// One row per case: truth, decision, reasons, every statistic.
std::string CasesCsv(const std::vector<EvaluatedCase>& cases, const Decisions& decisions);

}  // namespace morphfit::eval
