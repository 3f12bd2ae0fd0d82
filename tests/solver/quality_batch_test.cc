#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/solver/batch_outliers.h"
#include "quality_test_fixtures.h"

namespace morphfit::solver {
namespace {

using testing::CleanStatistics;

// 21 fits: ten with landmark NME 0.02, ten with 0.04, one with 0.20. Median 0.04; absolute
// deviations ten 0.02, ten 0, one 0.16 -> MAD 0.02, scaled 0.029652; k = 3 -> limit 0.128956.
std::vector<FitStatistics> HandMadeBatch() {
  std::vector<FitStatistics> batch(21, CleanStatistics());
  for (int i = 0; i < 10; ++i) batch[i].landmark_rms_nme = 0.02;
  for (int i = 10; i < 20; ++i) batch[i].landmark_rms_nme = 0.04;
  batch[20].landmark_rms_nme = 0.20;
  return batch;
}

QualityRule BatchRule() {
  QualityRule rule;
  // The absolute rule is off so that only the batch rule decides (the defaults are calibrated
  // values and would fire on the hand-made outliers too).
  for (const QualityThreshold& threshold : QualityThresholds()) {
    const bool is_max = std::string(threshold.option).rfind("max_", 0) == 0;
    rule.*threshold.field = is_max ? QualityRule::kOff : -QualityRule::kOff;
  }
  rule.outlier_k = 3;
  rule.outlier_statistics = {"landmark_rms_nme"};
  return rule;
}

TEST(BatchOutliers, LimitIsMedianPlusKScaledMad) {
  const std::vector<BatchLimit> limits = ComputeBatchLimits(HandMadeBatch(), BatchRule());
  ASSERT_EQ(limits.size(), 1u);
  EXPECT_EQ(limits[0].statistic, "landmark_rms_nme");
  EXPECT_EQ(limits[0].count, 21);
  EXPECT_NEAR(limits[0].median, 0.04, 1e-15);
  EXPECT_NEAR(limits[0].scaled_mad, 1.4826 * 0.02, 1e-15);
  EXPECT_NEAR(limits[0].limit, 0.04 + 3 * 1.4826 * 0.02, 1e-15);
}

TEST(BatchOutliers, RejectsOnlyTheOutlier) {
  const std::vector<Quality> qualities = AssessBatch(HandMadeBatch(), BatchRule());
  ASSERT_EQ(qualities.size(), 21u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(qualities[i].verdict(), Verdict::kKept) << i;
  ASSERT_EQ(qualities[20].reasons.size(), 1u);
  const QualityReason& reason = qualities[20].reasons[0];
  EXPECT_EQ(reason.name, "outlier_k");
  EXPECT_EQ(reason.statistic, "landmark_rms_nme");
  EXPECT_DOUBLE_EQ(reason.value, 0.20);
  EXPECT_NEAR(reason.threshold, 0.04 + 3 * 1.4826 * 0.02, 1e-15);
  EXPECT_EQ(reason.comparison, ">=");
}

TEST(BatchOutliers, FiresAtTheLimitAndNotBelow) {
  const std::vector<BatchLimit> limits = ComputeBatchLimits(HandMadeBatch(), BatchRule());
  FitStatistics fit = CleanStatistics();
  fit.landmark_rms_nme = limits[0].limit;
  Quality at;
  AddBatchOutlierReasons(fit, limits, at);
  EXPECT_EQ(at.reasons.size(), 1u);
  fit.landmark_rms_nme = std::nextafter(limits[0].limit, 0.0);
  Quality below;
  AddBatchOutlierReasons(fit, limits, below);
  EXPECT_TRUE(below.reasons.empty());
}

TEST(BatchOutliers, LowerIsWorseStatisticsUseTheLowerLimit) {
  std::vector<FitStatistics> batch(21, CleanStatistics());
  for (int i = 0; i < 10; ++i) batch[i].photo_inlier_fraction = 0.9;
  for (int i = 10; i < 20; ++i) batch[i].photo_inlier_fraction = 0.95;
  batch[20].photo_inlier_fraction = 0.6;
  QualityRule rule = BatchRule();
  rule.outlier_statistics = {"photo_inlier_fraction"};
  // Median 0.9; deviations ten 0, ten 0.05, one 0.3 -> MAD 0.05; limit 0.9 - 3 * 0.07413.
  const std::vector<Quality> qualities = AssessBatch(batch, rule);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(qualities[i].verdict(), Verdict::kKept) << i;
  ASSERT_EQ(qualities[20].reasons.size(), 1u);
  EXPECT_NEAR(qualities[20].reasons[0].threshold, 0.9 - 3 * 1.4826 * 0.05, 1e-12);
  EXPECT_EQ(qualities[20].reasons[0].comparison, "<=");
}

TEST(BatchOutliers, OffForZeroKSmallBatchesAndConstantStatistics) {
  QualityRule rule = BatchRule();
  rule.outlier_k = 0;
  EXPECT_TRUE(ComputeBatchLimits(HandMadeBatch(), rule).empty());
  rule = BatchRule();
  rule.outlier_min_batch = 22;
  EXPECT_TRUE(ComputeBatchLimits(HandMadeBatch(), rule).empty());
  rule = BatchRule();
  rule.outlier_statistics = {"shape_mahalanobis"};  // the same in every fit: MAD 0
  EXPECT_TRUE(ComputeBatchLimits(HandMadeBatch(), rule).empty());
}

TEST(BatchOutliers, AbsoluteReasonsComeFirst) {
  std::vector<FitStatistics> batch = HandMadeBatch();
  batch[20].yaw_deg = 85;
  QualityRule rule = BatchRule();
  rule.max_abs_yaw = 45;
  const std::vector<Quality> qualities = AssessBatch(batch, rule);
  ASSERT_EQ(qualities[20].reasons.size(), 2u);
  EXPECT_EQ(qualities[20].reasons[0].name, "max_abs_yaw");
  EXPECT_EQ(qualities[20].reasons[1].name, "outlier_k");
}

}  // namespace
}  // namespace morphfit::solver
