#pragma once

// Choosing the quality rule's thresholds from fits whose good/bad truth is known, and writing
// them as a gflags flag file that morphfit-fit, morphfit-batch and morphfit-eval read with
// --flagfile.

#include <string>
#include <vector>

#include "morphfit/solver/fit_statistics.h"
#include "morphfit/solver/quality_rule.h"

namespace morphfit::eval {

// The rule's decisions against the truth. A rejection is a "positive".
struct DecisionCounts {
  int true_rejections = 0;   // bad, rejected
  int false_rejections = 0;  // good, rejected
  int true_keeps = 0;        // good, kept
  int false_keeps = 0;       // bad, kept
  int bad() const { return true_rejections + false_keeps; }
  int good() const { return false_rejections + true_keeps; }
  double Precision() const;           // of rejection; NaN without rejections
  double Recall() const;              // share of bad fits rejected; NaN without bad fits
  double FalseRejectionRate() const;  // share of good fits rejected; NaN without good fits
};
DecisionCounts CountDecisions(const std::vector<bool>& rejected, const std::vector<bool>& bad);

struct CalibrationOptions {
  double target_false_rejection = 0.10;  // largest share of good fits the rule may reject
  // A tightening is taken only when it newly rejects at least this many bad fits, at least this
  // share of them bad: cuts that chase one or two cases in the tail of a weak statistic do not
  // hold on new data. Chosen on held-out synthetic sets (docs/quality.md): with none, a 500-case
  // calibration at a 0.10 target rejected 0.17 of the good fits of another 500.
  int min_step_rejections = 3;
  double min_step_precision = 0.3;
  void Validate() const;
};

// Greedy threshold selection: starting with every absolute threshold off, repeatedly tighten the
// one threshold that rejects the most not-yet-rejected bad fits per good fit it newly rejects,
// while the rejected share of good fits stays within the target and the step is large and precise
// enough (CalibrationOptions). Thresholds sit half-way between
// neighbouring observed values. Thresholds never chosen stay off (inf / -inf); everything else
// (solver failure, batch rule) is copied from `base`. Deterministic.
solver::QualityRule CalibrateRule(const std::vector<solver::FitStatistics>& statistics,
                                  const std::vector<bool>& bad, const solver::QualityRule& base,
                                  const CalibrationOptions& options);

// "--option=value" lines for every absolute threshold and the other rule options, values printed
// exactly (17 significant digits) so that reading the file back gives the same rule; `comment`
// lines go first, prefixed with "# ".
std::string QualityFlagFileText(const solver::QualityRule& rule,
                                const std::vector<std::string>& comment);

}  // namespace morphfit::eval
