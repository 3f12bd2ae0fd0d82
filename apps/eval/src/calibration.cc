#include "morphfit/eval/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "morphfit/model/error.h"

namespace morphfit::eval {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double Ratio(int numerator, int denominator) {
  return denominator > 0 ? static_cast<double>(numerator) / denominator : kNan;
}

std::string Exact(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

// One threshold's view of the data: the cases ordered from worst to best value.
struct Column {
  const solver::QualityThreshold* threshold;
  solver::Worse worse;
  std::vector<int> order;         // finite values, worst first
  std::vector<double> value;      // value per case (NaN when absent)
  std::vector<int> always_fires;  // non-finite values fire whatever the threshold
};

// Thresholds half-way between neighbours; tightening to candidate k fires order[0..k].
double CandidateThreshold(const Column& column, int k) {
  const double a = column.value[column.order[k]];
  if (k + 1 == static_cast<int>(column.order.size())) {
    // Fires everything: step past the best value.
    if (column.worse == solver::Worse::kLower) return std::nextafter(a, kInf);
    return a > 0 ? std::nextafter(a, -kInf) : 0.0;  // statistics are >= 0; ">= 0" fires all
  }
  return 0.5 * (a + column.value[column.order[k + 1]]);
}

}  // namespace

double DecisionCounts::Precision() const {
  return Ratio(true_rejections, true_rejections + false_rejections);
}
double DecisionCounts::Recall() const { return Ratio(true_rejections, bad()); }
double DecisionCounts::FalseRejectionRate() const { return Ratio(false_rejections, good()); }

DecisionCounts CountDecisions(const std::vector<bool>& rejected, const std::vector<bool>& bad) {
  if (rejected.size() != bad.size()) throw Error("decision counts: sizes differ");
  DecisionCounts counts;
  for (size_t i = 0; i < bad.size(); ++i) {
    if (bad[i]) {
      (rejected[i] ? counts.true_rejections : counts.false_keeps)++;
    } else {
      (rejected[i] ? counts.false_rejections : counts.true_keeps)++;
    }
  }
  return counts;
}

void CalibrationOptions::Validate() const {
  if (!(target_false_rejection >= 0 && target_false_rejection < 1)) {
    throw Error("calibration: --target_false_rejection=" + std::to_string(target_false_rejection) +
                " must lie in [0, 1)");
  }
  if (min_step_rejections < 1) throw Error("calibration: min_step_rejections must be >= 1");
  if (!(min_step_precision >= 0 && min_step_precision <= 1)) {
    throw Error("calibration: min_step_precision must lie in [0, 1]");
  }
}

solver::QualityRule CalibrateRule(const std::vector<solver::FitStatistics>& statistics,
                                  const std::vector<bool>& bad, const solver::QualityRule& base,
                                  const CalibrationOptions& options) {
  options.Validate();
  base.Validate();
  if (statistics.size() != bad.size())
    throw Error("calibration: statistics and truth differ in size");
  const int n = static_cast<int>(statistics.size());
  const int num_good = static_cast<int>(std::count(bad.begin(), bad.end(), false));
  const int good_budget =
      static_cast<int>(std::floor(options.target_false_rejection * num_good + 1e-9));

  solver::QualityRule rule = base;
  std::vector<Column> columns;
  for (const solver::QualityThreshold& threshold : solver::QualityThresholds()) {
    const solver::QualityStatistic& statistic = solver::FindQualityStatistic(threshold.statistic);
    rule.*threshold.field = statistic.worse == solver::Worse::kHigher ? kInf : -kInf;
    Column column{&threshold, statistic.worse, {}, std::vector<double>(n, kNan), {}};
    for (int i = 0; i < n; ++i) {
      const std::optional<double> value = statistic.value(statistics[i]);
      if (!value) continue;
      column.value[i] = *value;
      (std::isfinite(*value) ? column.order : column.always_fires).push_back(i);
    }
    std::stable_sort(column.order.begin(), column.order.end(), [&](int a, int b) {
      return column.worse == solver::Worse::kHigher ? column.value[a] > column.value[b]
                                                    : column.value[a] < column.value[b];
    });
    columns.push_back(std::move(column));
  }

  std::vector<bool> rejected(n, false);
  // Cases the rule rejects whatever the thresholds (solver failures) count from the start.
  for (int i = 0; i < n; ++i) {
    solver::QualityRule off = rule;
    rejected[i] = !solver::Assess(statistics[i], off).reasons.empty();
  }
  int good_rejected = 0;
  for (int i = 0; i < n; ++i) good_rejected += rejected[i] && !bad[i];
  std::vector<int> tightened(columns.size(), -1);  // candidate index chosen per column

  while (true) {
    int best_column = -1, best_k = -1, best_good = 0;
    double best_score = 0;
    for (size_t c = 0; c < columns.size(); ++c) {
      const Column& column = columns[c];
      if (column.order.empty()) continue;
      // Enabling a threshold also fires its non-finite values.
      int new_bad = 0, new_good = 0;
      if (tightened[c] < 0) {
        for (int i : column.always_fires) {
          if (!rejected[i]) (bad[i] ? new_bad : new_good)++;
        }
      }
      for (int k = 0; k < static_cast<int>(column.order.size()); ++k) {
        const int i = column.order[k];
        if (k > tightened[c] && !rejected[i]) (bad[i] ? new_bad : new_good)++;
        if (k <= tightened[c]) continue;
        // Only cut between distinct values.
        if (k + 1 < static_cast<int>(column.order.size()) &&
            column.value[column.order[k + 1]] == column.value[i]) {
          continue;
        }
        if (good_rejected + new_good > good_budget) break;
        if (new_bad < options.min_step_rejections ||
            new_bad < options.min_step_precision * (new_bad + new_good)) {
          continue;
        }
        const double score = static_cast<double>(new_bad) / (new_good + 1);
        if (score > best_score || (score == best_score && new_good < best_good)) {
          best_score = score;
          best_column = static_cast<int>(c);
          best_k = k;
          best_good = new_good;
        }
      }
    }
    if (best_column < 0) break;
    Column& column = columns[best_column];
    if (tightened[best_column] < 0) {
      for (int i : column.always_fires) rejected[i] = true;
    }
    for (int k = 0; k <= best_k; ++k) rejected[column.order[k]] = true;
    tightened[best_column] = best_k;
    rule.*(column.threshold->field) = CandidateThreshold(column, best_k);
    good_rejected = 0;
    for (int i = 0; i < n; ++i) good_rejected += rejected[i] && !bad[i];
  }
  rule.Validate();
  return rule;
}

std::string QualityFlagFileText(const solver::QualityRule& rule,
                                const std::vector<std::string>& comment) {
  std::ostringstream out;
  for (const std::string& line : comment) out << "# " << line << "\n";
  for (const solver::QualityThreshold& threshold : solver::QualityThresholds()) {
    out << "--" << threshold.option << "=" << Exact(rule.*threshold.field) << "\n";
  }
  out << "--reject_solver_failure=" << (rule.reject_solver_failure ? "true" : "false") << "\n";
  out << "--outlier_k=" << Exact(rule.outlier_k) << "\n";
  out << "--outlier_min_batch=" << rule.outlier_min_batch << "\n";
  std::string names;
  for (const std::string& name : rule.outlier_statistics)
    names += (names.empty() ? "" : ",") + name;
  out << "--outlier_statistics=" << names << "\n";
  return out.str();
}

}  // namespace morphfit::eval
