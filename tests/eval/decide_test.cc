// morphfit-eval's decisions: the absolute rule, failed fits, and the batch-relative rule over the
// evaluated set.
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/eval/report.h"
#include "solver/quality_test_fixtures.h"

namespace morphfit::eval {
namespace {

using solver::testing::CleanStatistics;

// 30 clean cases whose landmark NME spreads 0.010 ... 0.039, one planted outlier at 0.2 (below
// the absolute limit set here), and one failed fit.
std::vector<EvaluatedCase> Cases() {
  std::vector<EvaluatedCase> cases;
  for (int i = 0; i <= 30; ++i) {
    EvaluatedCase c;
    c.name = "case" + std::to_string(i);
    solver::FitStatistics s = CleanStatistics();
    s.landmark_rms_nme = i < 30 ? 0.010 + 0.001 * i : 0.2;
    c.statistics = s;
    c.bad = i == 30;
    cases.push_back(c);
  }
  EvaluatedCase failed;
  failed.name = "failed";
  failed.fit_error = "photometric stage: no samples";
  failed.bad = true;
  cases.push_back(failed);
  return cases;
}

solver::QualityRule AbsoluteOnly() {
  solver::QualityRule rule;
  for (const solver::QualityThreshold& t : solver::QualityThresholds()) {
    rule.*t.field = rule.*t.field > 0 ? solver::QualityRule::kOff : -solver::QualityRule::kOff;
  }
  rule.max_landmark_nme = 0.5;
  rule.outlier_statistics = {"landmark_rms_nme"};
  return rule;
}

TEST(Decide, BatchRuleRejectsTheOutlierOfTheEvaluatedSetOnlyWhenOn) {
  const std::vector<EvaluatedCase> cases = Cases();
  solver::QualityRule rule = AbsoluteOnly();
  rule.outlier_k = 0;
  const Decisions off = Decide(cases, rule);
  EXPECT_FALSE(off.rejected[30]) << "the absolute limit 0.5 keeps NME 0.2";
  EXPECT_TRUE(off.rejected[31]) << "a failed fit is rejected";
  EXPECT_EQ(off.counts.Recall(), 0.5);

  rule.outlier_k = 5;
  const Decisions on = Decide(cases, rule);
  ASSERT_TRUE(on.rejected[30]);
  ASSERT_EQ(on.qualities[30].reasons.size(), 1u);
  EXPECT_EQ(on.qualities[30].reasons[0].name, "outlier_k");
  EXPECT_EQ(on.qualities[30].reasons[0].statistic, "landmark_rms_nme");
  for (int i = 0; i < 30; ++i) EXPECT_FALSE(on.rejected[i]) << cases[i].name;
  EXPECT_TRUE(on.rejected[31]);
  EXPECT_EQ(on.counts.Recall(), 1.0);
  EXPECT_EQ(on.counts.FalseRejectionRate(), 0.0);
}

}  // namespace
}  // namespace morphfit::eval
