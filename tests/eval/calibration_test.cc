#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "morphfit/eval/calibration.h"
#include "morphfit/model/error.h"
#include "solver/quality_test_fixtures.h"

namespace morphfit::eval {
namespace {

using solver::FitStatistics;
using solver::testing::CleanStatistics;

// 20 good fits with landmark NME 0.010 ... 0.029 and 10 bad ones: 8 with NME 0.05 ... 0.12, and
// 2 whose landmarks look fine (NME 0.015) but whose shape is implausible (Mahalanobis 20, 30).
void HandMadeSet(std::vector<FitStatistics>& statistics, std::vector<bool>& bad) {
  for (int i = 0; i < 20; ++i) {
    FitStatistics s = CleanStatistics();
    s.landmark_rms_nme = 0.010 + 0.001 * i;
    s.shape_mahalanobis = 2 + 0.2 * i;  // up to 5.8
    statistics.push_back(s);
    bad.push_back(false);
  }
  for (int i = 0; i < 8; ++i) {
    FitStatistics s = CleanStatistics();
    s.landmark_rms_nme = 0.05 + 0.01 * i;
    statistics.push_back(s);
    bad.push_back(true);
  }
  for (double mahalanobis : {20.0, 30.0}) {
    FitStatistics s = CleanStatistics();
    s.landmark_rms_nme = 0.015;
    s.shape_mahalanobis = mahalanobis;
    statistics.push_back(s);
    bad.push_back(true);
  }
}

std::vector<bool> Rejections(const std::vector<FitStatistics>& statistics,
                             const solver::QualityRule& rule) {
  std::vector<bool> rejected;
  for (const FitStatistics& s : statistics) {
    rejected.push_back(solver::Assess(s, rule).verdict() == solver::Verdict::kRejected);
  }
  return rejected;
}

TEST(Calibration, SeparableSetIsSeparatedWithoutFalseRejections) {
  std::vector<FitStatistics> statistics;
  std::vector<bool> bad;
  HandMadeSet(statistics, bad);
  CalibrationOptions options;
  options.min_step_rejections = 1;
  const solver::QualityRule rule = CalibrateRule(statistics, bad, solver::QualityRule(), options);
  // Half-way between the worst good value and the best bad one.
  EXPECT_DOUBLE_EQ(rule.max_landmark_nme, 0.5 * ((0.010 + 0.001 * 19) + 0.05));
  EXPECT_DOUBLE_EQ(rule.max_shape_mahalanobis, 0.5 * ((2 + 0.2 * 19) + 20));
  // Thresholds that separate nothing here stay off.
  EXPECT_TRUE(std::isinf(rule.max_abs_yaw));
  EXPECT_TRUE(std::isinf(rule.min_face_size));
  const DecisionCounts counts = CountDecisions(Rejections(statistics, rule), bad);
  EXPECT_EQ(counts.true_rejections, 10);
  EXPECT_EQ(counts.false_rejections, 0);
}

TEST(Calibration, SpendsTheFalseRejectionBudgetWhenClassesOverlap) {
  std::vector<FitStatistics> statistics;
  std::vector<bool> bad;
  HandMadeSet(statistics, bad);
  // Two bad fits among the worst good ones by landmark NME (0.0275, 0.0285), and ordinary by
  // every other statistic.
  for (double nme : {0.0275, 0.0285}) {
    FitStatistics s = CleanStatistics();
    s.landmark_rms_nme = nme;
    statistics.push_back(s);
    bad.push_back(true);
  }
  CalibrationOptions options;
  options.min_step_rejections = 1;
  options.min_step_precision = 0.5;
  options.target_false_rejection = 0.10;  // two of the 20 good fits
  const solver::QualityRule rule = CalibrateRule(statistics, bad, solver::QualityRule(), options);
  const DecisionCounts counts = CountDecisions(Rejections(statistics, rule), bad);
  EXPECT_EQ(counts.true_rejections, 12);
  EXPECT_EQ(counts.false_rejections, 2);  // good 0.028 and 0.029 go with them
  EXPECT_DOUBLE_EQ(rule.max_landmark_nme, 0.5 * (0.0275 + (0.010 + 0.001 * 17)));

  options.target_false_rejection = 0.0;
  const solver::QualityRule strict = CalibrateRule(statistics, bad, solver::QualityRule(), options);
  const DecisionCounts strict_counts = CountDecisions(Rejections(statistics, strict), bad);
  EXPECT_EQ(strict_counts.false_rejections, 0);
  EXPECT_EQ(strict_counts.true_rejections, 10);
}

TEST(Calibration, StepsMustBeLargeAndPrecise) {
  std::vector<FitStatistics> statistics;
  std::vector<bool> bad;
  HandMadeSet(statistics, bad);
  CalibrationOptions options;
  options.min_step_rejections = 3;  // the two implausible shapes alone are not worth a threshold
  const solver::QualityRule rule = CalibrateRule(statistics, bad, solver::QualityRule(), options);
  EXPECT_DOUBLE_EQ(rule.max_landmark_nme, 0.5 * ((0.010 + 0.001 * 19) + 0.05));
  EXPECT_TRUE(std::isinf(rule.max_shape_mahalanobis));

  // Two bad fits per good one among the worst landmark NMEs: a step of precision 2/3.
  std::vector<FitStatistics> mixed;
  std::vector<bool> mixed_bad;
  for (int i = 0; i < 30; ++i) {
    FitStatistics s = CleanStatistics();
    s.landmark_rms_nme = 0.01 * (i + 1);
    mixed.push_back(s);
    mixed_bad.push_back(i >= 20 && i % 3 != 0);  // 0.21 ... 0.30: 21, 24, 27 (0-based) are good
  }
  options.min_step_rejections = 1;
  options.target_false_rejection = 0.5;
  options.min_step_precision = 0.8;
  const solver::QualityRule strict =
      CalibrateRule(mixed, mixed_bad, solver::QualityRule(), options);
  // The two bad fits at the top (0.29, 0.30) are a clean step; reaching further down always takes
  // one good fit per two or three bad ones (precision <= 0.75), so the threshold stops above the
  // good 0.28.
  EXPECT_DOUBLE_EQ(strict.max_landmark_nme, 0.5 * (0.01 * 28 + 0.01 * 29));
}

TEST(Calibration, DecisionCountsAndRates) {
  const DecisionCounts c =
      CountDecisions({true, true, false, false, true}, {true, false, false, true, true});
  EXPECT_EQ(c.true_rejections, 2);
  EXPECT_EQ(c.false_rejections, 1);
  EXPECT_EQ(c.true_keeps, 1);
  EXPECT_EQ(c.false_keeps, 1);
  EXPECT_DOUBLE_EQ(c.Precision(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.Recall(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.FalseRejectionRate(), 0.5);
  EXPECT_THROW(CalibrationOptions{1.0}.Validate(), Error);
}

// The flag file holds every threshold exactly: parsing its values gives back the same rule.
TEST(Calibration, FlagFileTextIsExact) {
  solver::QualityRule rule;
  rule.max_landmark_nme = 0.1 / 3;
  rule.min_face_size = -std::numeric_limits<double>::infinity();
  rule.max_abs_yaw = std::numeric_limits<double>::infinity();
  const std::string text = QualityFlagFileText(rule, {"calibrated on nothing"});
  EXPECT_EQ(text.rfind("# calibrated on nothing\n", 0), 0u);
  std::map<std::string, std::string> flags;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("--", 0) != 0) continue;
    const size_t equals = line.find('=');
    flags[line.substr(2, equals - 2)] = line.substr(equals + 1);
  }
  for (const solver::QualityThreshold& threshold : solver::QualityThresholds()) {
    ASSERT_TRUE(flags.count(threshold.option)) << threshold.option;
    EXPECT_EQ(std::strtod(flags[threshold.option].c_str(), nullptr), rule.*threshold.field)
        << threshold.option;
  }
  EXPECT_EQ(flags["reject_solver_failure"], "true");
  EXPECT_EQ(flags["outlier_statistics"],
            "landmark_rms_nme,shape_mahalanobis,photo_rms,photo_inlier_fraction");
}

}  // namespace
}  // namespace morphfit::eval
