#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/solver/quality_json.h"
#include "quality_test_fixtures.h"

namespace morphfit::solver {
namespace {

using testing::CleanStatistics;

TEST(QualityJson, StatisticsRoundTrip) {
  FitStatistics s = CleanStatistics();
  s.regions[2] = {9, 1.5, 0.015};
  const FitStatistics back = FitStatisticsFromJson(nlohmann::ordered_json::parse(ToJson(s).dump()));
  EXPECT_EQ(ToJson(back), ToJson(s));
  EXPECT_EQ(back.regions[2].count, 9);
  EXPECT_DOUBLE_EQ(back.photo_inlier_fraction, s.photo_inlier_fraction);
  EXPECT_EQ(back.stages[1].termination, "CONVERGENCE");
}

TEST(QualityJson, NonFiniteBecomesNullAndNan) {
  FitStatistics s = CleanStatistics();
  s.landmark_rms_nme = std::numeric_limits<double>::infinity();
  s.has_photometric = false;
  const nlohmann::ordered_json json = ToJson(s);
  EXPECT_TRUE(json["landmarks"]["rms_nme"].is_null());
  EXPECT_TRUE(json["photometric"].is_null());
  const FitStatistics back = FitStatisticsFromJson(json);
  EXPECT_TRUE(std::isnan(back.landmark_rms_nme));
  EXPECT_FALSE(back.has_photometric);
}

TEST(QualityJson, MissingKeyIsNamed) {
  nlohmann::ordered_json json = ToJson(CleanStatistics());
  json["pose"].erase("yaw_deg");
  try {
    FitStatisticsFromJson(json);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("yaw_deg"), std::string::npos);
  }
}

TEST(QualityJson, VerdictAndEveryReasonLandInFitJson) {
  FitStatistics s = CleanStatistics();
  s.landmark_rms_nme = 0.3;
  s.face_size_px = 10;
  const QualityRule rule = testing::AllThresholdsRule();
  nlohmann::ordered_json fit = {{"verdict", "provisional"}, {"camera", {{"focal", 1000}}}};
  RecordQuality(s, rule, Assess(s, rule), fit);
  EXPECT_EQ(fit["verdict"], "rejected");
  ASSERT_EQ(fit["reasons"].size(), 2u);
  EXPECT_EQ(fit["reasons"][0]["name"], "max_landmark_nme");
  EXPECT_EQ(fit["reasons"][0]["statistic"], "landmark_rms_nme");
  EXPECT_DOUBLE_EQ(fit["reasons"][0]["value"].get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(fit["reasons"][0]["threshold"].get<double>(), rule.max_landmark_nme);
  EXPECT_EQ(fit["reasons"][0]["comparison"], ">=");
  EXPECT_EQ(fit["reasons"][1]["name"], "min_face_size");
  EXPECT_EQ(fit["camera"]["focal"], 1000);  // the rest of fit.json is left alone
  EXPECT_DOUBLE_EQ(fit["quality"]["rule"]["max_abs_yaw"].get<double>(), rule.max_abs_yaw);
  EXPECT_EQ(FitStatisticsFromJson(fit["quality"]["statistics"]).face_size_px, 10);

  RecordQuality(CleanStatistics(), rule, Assess(CleanStatistics(), rule), fit);
  EXPECT_EQ(fit["verdict"], "kept");
  EXPECT_TRUE(fit["reasons"].is_array());
  EXPECT_TRUE(fit["reasons"].empty());
}

TEST(QualityJson, BatchOutliersReplaceOnlyTheirOwnReasons) {
  FitStatistics s = CleanStatistics();
  s.landmark_rms_nme = 0.3;
  QualityRule rule = testing::AllThresholdsRule();
  nlohmann::ordered_json fit = {{"camera", {{"focal", 1000}}}};
  RecordQuality(s, rule, Assess(s, rule), fit);
  const std::string absolute_only = fit.dump();
  rule.outlier_k = 3;
  // statistic, worse, count, median, scaled MAD, limit
  const BatchLimit limit{"landmark_rms_nme", Worse::kHigher, 40, 0.02, 0.01, 0.05};
  for (int pass = 0; pass < 2; ++pass) {  // twice: the second pass must not add a reason
    RecordBatchOutliers(s, rule, {limit}, 41, fit);
    EXPECT_EQ(fit["verdict"], "rejected");
    ASSERT_EQ(fit["reasons"].size(), 2u);
    EXPECT_EQ(fit["reasons"][0]["name"], "max_landmark_nme");
    const nlohmann::ordered_json& reason = fit["reasons"][1];
    EXPECT_EQ(reason["name"], "outlier_k");
    EXPECT_EQ(reason["statistic"], "landmark_rms_nme");
    EXPECT_DOUBLE_EQ(reason["value"].get<double>(), 0.3);
    EXPECT_DOUBLE_EQ(reason["threshold"].get<double>(), 0.05);
    EXPECT_DOUBLE_EQ(reason["median"].get<double>(), 0.02);
    EXPECT_DOUBLE_EQ(reason["scaled_mad"].get<double>(), 0.01);
    EXPECT_EQ(fit["quality"]["rule"]["outlier_k"], 3.0);
    EXPECT_EQ(fit["quality"]["batch"]["fits"], 41);
  }
  // Below the limit: no outlier reason; the absolute reason stays.
  s.landmark_rms_nme = 0.04;
  RecordBatchOutliers(s, rule, {limit}, 41, fit);
  EXPECT_EQ(fit["reasons"].size(), 1u);
  // k = 0 takes the batch rule's traces out again.
  s.landmark_rms_nme = 0.3;
  rule.outlier_k = 0;
  RecordBatchOutliers(s, rule, {}, 41, fit);
  EXPECT_EQ(fit.dump(), absolute_only);
  // A fit.json without the quality record is an error, not a silent pass.
  nlohmann::ordered_json bare = {{"verdict", "kept"}};
  EXPECT_THROW(RecordBatchOutliers(s, rule, {}, 41, bare), Error);
}

}  // namespace
}  // namespace morphfit::solver
