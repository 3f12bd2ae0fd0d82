#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/solver/quality_rule.h"
#include "quality_test_fixtures.h"

namespace morphfit::solver {
namespace {

using testing::AllThresholdsRule;
using testing::CleanStatistics;

// Sets the statistic named as in quality_statistic.h, independently of that table, so that a
// wrong entry there shows up here.
void SetStatistic(const std::string& name, double value, FitStatistics& s) {
  static const std::map<std::string, std::function<void(FitStatistics&, double)>> setters = {
      {"landmark_rms_nme", [](FitStatistics& s, double v) { s.landmark_rms_nme = v; }},
      {"landmark_max_nme", [](FitStatistics& s, double v) { s.landmark_max_nme = v; }},
      {"worst_region_nme", [](FitStatistics& s, double v) { s.worst_region_nme = v; }},
      {"photo_rms", [](FitStatistics& s, double v) { s.photo_rms = v; }},
      {"photo_median_abs", [](FitStatistics& s, double v) { s.photo_median_abs = v; }},
      {"photo_inlier_fraction", [](FitStatistics& s, double v) { s.photo_inlier_fraction = v; }},
      {"shading_rms", [](FitStatistics& s, double v) { s.shading_rms = v; }},
      {"shading_median_abs", [](FitStatistics& s, double v) { s.shading_median_abs = v; }},
      {"shading_inlier_fraction",
       [](FitStatistics& s, double v) { s.shading_inlier_fraction = v; }},
      {"shape_mahalanobis", [](FitStatistics& s, double v) { s.shape_mahalanobis = v; }},
      {"expression_mahalanobis", [](FitStatistics& s, double v) { s.expression_mahalanobis = v; }},
      {"max_abs_coefficient", [](FitStatistics& s, double v) { s.max_abs_coefficient = v; }},
      {"abs_yaw_deg", [](FitStatistics& s, double v) { s.yaw_deg = -v; }},
      {"abs_pitch_deg", [](FitStatistics& s, double v) { s.pitch_deg = v; }},
      {"abs_roll_deg", [](FitStatistics& s, double v) { s.roll_deg = -v; }},
      {"face_size_px", [](FitStatistics& s, double v) { s.face_size_px = v; }},
      {"visible_fraction", [](FitStatistics& s, double v) { s.visible_fraction = v; }},
  };
  setters.at(name)(s, value);
}

TEST(QualityRule, CalibratedDefaultsSwitchUnneededTestsOff) {
  const QualityRule rule;
  int off = 0;
  for (const QualityThreshold& threshold : QualityThresholds()) {
    const double value = rule.*threshold.field;
    if (!std::isinf(value)) continue;
    ++off;
    // Off: even a value far on the worse side fires nothing (+inf for max_*, -inf for min_*).
    SCOPED_TRACE(threshold.option);
    FitStatistics s = CleanStatistics();
    SetStatistic(threshold.statistic, value > 0 ? 1e6 : -1e6, s);
    EXPECT_TRUE(Assess(s, rule).reasons.empty());
  }
  EXPECT_GT(off, 0) << "the calibration switches the thresholds it does not need off";
}

// The built-in defaults are the calibrated preset's thresholds to 6 significant digits; a
// recalibration must update both.
TEST(QualityRule, DefaultsAreTheCalibratedPreset) {
  const std::string path = MORPHFIT_SOURCE_DIR "/data/presets/quality_calibrated.flags";
  std::ifstream preset(path);
  ASSERT_TRUE(preset) << "cannot read " << path;
  std::map<std::string, double> values;
  std::string line;
  while (std::getline(preset, line)) {
    if (line.rfind("--", 0) != 0) continue;
    const size_t equals = line.find('=');
    const std::string name = line.substr(2, equals - 2);
    const std::string value = line.substr(equals + 1);
    if (value == "inf" || value == "-inf") {
      values[name] = (value[0] == '-' ? -1 : 1) * QualityRule::kOff;
    } else if (!value.empty() && (std::isdigit(value[0]) || value[0] == '-')) {
      values[name] = std::stod(value);
    }
  }
  const QualityRule rule;
  for (const QualityThreshold& threshold : QualityThresholds()) {
    SCOPED_TRACE(threshold.option);
    ASSERT_EQ(values.count(threshold.option), 1u);
    const double expected = values[threshold.option];
    const double actual = rule.*threshold.field;
    if (std::isinf(expected)) {
      EXPECT_EQ(actual, expected);
    } else {
      EXPECT_NEAR(actual, expected, 5e-6 * std::abs(expected));
    }
  }
}

TEST(QualityRule, DefaultsAreValidAndCleanFitIsKept) {
  const QualityRule rule;
  EXPECT_NO_THROW(rule.Validate());
  const Quality quality = Assess(CleanStatistics(), rule);
  EXPECT_EQ(quality.verdict(), Verdict::kKept);
  EXPECT_TRUE(quality.reasons.empty());
  EXPECT_STREQ(VerdictName(quality.verdict()), "kept");
}

// Every threshold fires at its value and not on the good side of it, with one reason naming it.
TEST(QualityRule, EachThresholdFiresAtItsValueAndNotBefore) {
  const QualityRule rule = AllThresholdsRule();
  for (const QualityThreshold& threshold : QualityThresholds()) {
    SCOPED_TRACE(threshold.option);
    const double limit = rule.*threshold.field;
    const Worse worse = FindQualityStatistic(threshold.statistic).worse;
    const double good_side = worse == Worse::kHigher ? -1.0 : 1.0;

    FitStatistics at = CleanStatistics();
    SetStatistic(threshold.statistic, limit, at);
    const Quality fired = Assess(at, rule);
    ASSERT_EQ(fired.reasons.size(), 1u);
    EXPECT_EQ(fired.verdict(), Verdict::kRejected);
    EXPECT_EQ(fired.reasons[0].name, threshold.option);
    EXPECT_EQ(fired.reasons[0].statistic, threshold.statistic);
    EXPECT_DOUBLE_EQ(fired.reasons[0].value, limit);
    EXPECT_DOUBLE_EQ(fired.reasons[0].threshold, limit);
    EXPECT_EQ(fired.reasons[0].comparison, worse == Worse::kHigher ? ">=" : "<=");

    FitStatistics before = CleanStatistics();
    SetStatistic(threshold.statistic, std::nextafter(limit, good_side * 1e300), before);
    EXPECT_TRUE(Assess(before, rule).reasons.empty());
  }
}

TEST(QualityRule, ListsEveryReasonThatFired) {
  FitStatistics s = CleanStatistics();
  s.landmark_rms_nme = 0.5;
  s.shape_mahalanobis = 50;
  s.yaw_deg = 89;
  s.visible_fraction = 0.01;
  s.stages[1].termination = "FAILURE";
  const Quality quality = Assess(s, AllThresholdsRule());
  ASSERT_EQ(quality.reasons.size(), 5u);
  EXPECT_EQ(quality.reasons[0].name, "max_landmark_nme");
  EXPECT_EQ(quality.reasons[1].name, "max_shape_mahalanobis");
  EXPECT_EQ(quality.reasons[2].name, "max_abs_yaw");
  EXPECT_EQ(quality.reasons[3].name, "min_visible_fraction");
  EXPECT_EQ(quality.reasons[4].name, "reject_solver_failure");
  EXPECT_EQ(quality.reasons[4].statistic, "stage landmarks: FAILURE");
  EXPECT_STREQ(VerdictName(quality.verdict()), "rejected");
}

TEST(QualityRule, NonFiniteStatisticFires) {
  FitStatistics s = CleanStatistics();
  s.landmark_rms_nme = std::numeric_limits<double>::quiet_NaN();
  const Quality quality = Assess(s, AllThresholdsRule());
  ASSERT_EQ(quality.reasons.size(), 1u);
  EXPECT_EQ(quality.reasons[0].comparison, "not finite");
}

TEST(QualityRule, InfiniteThresholdSwitchesATestOff) {
  QualityRule rule = AllThresholdsRule();
  rule.max_abs_yaw = std::numeric_limits<double>::infinity();
  rule.min_face_size = -std::numeric_limits<double>::infinity();
  FitStatistics s = CleanStatistics();
  s.yaw_deg = 179;
  s.face_size_px = 1;
  EXPECT_TRUE(Assess(s, rule).reasons.empty());
}

TEST(QualityRule, PhotometricTestsNeedAPhotometricStage) {
  FitStatistics s = CleanStatistics();
  s.has_photometric = false;
  s.photo_rms = 10;
  s.photo_inlier_fraction = 0;
  EXPECT_TRUE(Assess(s, AllThresholdsRule()).reasons.empty());
}

TEST(QualityRule, ShadingTestsNeedShadingResiduals) {
  FitStatistics s = CleanStatistics();
  s.has_shading = false;
  s.shading_rms = 10;
  s.shading_inlier_fraction = 0;
  EXPECT_TRUE(Assess(s, AllThresholdsRule()).reasons.empty());
}

TEST(QualityRule, SolverFailureTestCanBeSwitchedOff) {
  FitStatistics s = CleanStatistics();
  s.stages[0].termination = "USER_FAILURE";
  QualityRule rule;
  EXPECT_EQ(Assess(s, rule).reasons.size(), 1u);
  rule.reject_solver_failure = false;
  EXPECT_TRUE(Assess(s, rule).reasons.empty());
  s.stages[0].termination = "NO_CONVERGENCE";  // hit the iteration limit: not a failure
  rule.reject_solver_failure = true;
  EXPECT_TRUE(Assess(s, rule).reasons.empty());
}

TEST(QualityRule, ValidateNamesTheBadOption) {
  auto message = [](const QualityRule& rule) {
    try {
      rule.Validate();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  QualityRule rule;
  rule.max_abs_yaw = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(message(rule).find("max_abs_yaw"), std::string::npos);
  rule = QualityRule();
  rule.max_landmark_nme = -0.1;
  EXPECT_NE(message(rule).find("max_landmark_nme"), std::string::npos);
  rule = QualityRule();
  rule.min_photo_inliers = 1.5;
  EXPECT_NE(message(rule).find("[0, 1]"), std::string::npos);
  rule = QualityRule();
  rule.outlier_k = -1;
  EXPECT_NE(message(rule).find("outlier_k"), std::string::npos);
  rule = QualityRule();
  rule.outlier_min_batch = 2;
  EXPECT_NE(message(rule).find("outlier_min_batch"), std::string::npos);
  rule = QualityRule();
  rule.outlier_statistics = {"landmark_rms_nme", "no_such_statistic"};
  EXPECT_NE(message(rule).find("no_such_statistic"), std::string::npos);
  EXPECT_THROW(Assess(CleanStatistics(), rule), Error);
}

}  // namespace
}  // namespace morphfit::solver
