#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "morphfit/model/model_io.h"
#include "morphfit/pipeline/fit_image.h"
#include "shared_data.h"

namespace morphfit::pipeline {
namespace {

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

class FitJsonQuality : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = model::LoadModelDirectory(testing::RequireSharedPath("models/sfm"));
    input_.image_path = testing::RequireSharedPath("samples/eos_image_0010.png");
    input_.landmarks_path = testing::RequireSharedPath("samples/eos_image_0010.pts");
    out_ = testing::MakeTempDir("fit_json_quality");
    options_.overwrite = true;
  }
  void TearDown() override { std::filesystem::remove_all(out_); }

  model::MorphableModel model_;
  ImageInput input_;
  std::string out_;
  PipelineOptions options_;
};

TEST_F(FitJsonQuality, EveryReasonThatFiredLandsInFitJson) {
  // Thresholds the sample's fit must reach: a landmark error of 0 or more, any yaw.
  options_.quality.max_landmark_nme = 0;
  options_.quality.max_abs_yaw = 0;
  const ImageResult result = FitImage(model_, input_, out_ + "/rejected", options_);
  ASSERT_EQ(result.quality.verdict(), solver::Verdict::kRejected);
  const nlohmann::json fit = ReadJson(out_ + "/rejected/fit.json");
  EXPECT_EQ(fit["verdict"], "rejected");
  ASSERT_EQ(fit["reasons"].size(), result.quality.reasons.size());
  ASSERT_GE(fit["reasons"].size(), 2u);
  EXPECT_EQ(fit["reasons"][0]["name"], "max_landmark_nme");
  EXPECT_EQ(fit["reasons"][0]["statistic"], "landmark_rms_nme");
  EXPECT_DOUBLE_EQ(fit["reasons"][0]["value"].get<double>(), result.statistics.landmark_rms_nme);
  EXPECT_DOUBLE_EQ(fit["reasons"][0]["threshold"].get<double>(), 0.0);
  EXPECT_EQ(fit["reasons"][0]["comparison"], ">=");
  bool yaw_reason = false;
  for (const auto& reason : fit["reasons"]) yaw_reason |= reason["name"] == "max_abs_yaw";
  EXPECT_TRUE(yaw_reason);
  EXPECT_TRUE(fit["quality"]["statistics"]["shading"].is_object());
  EXPECT_EQ(fit["quality"]["rule"]["max_landmark_nme"], 0.0);
}

TEST_F(FitJsonQuality, KeptFitHasAnEmptyReasonList) {
  // Every threshold off: whatever the sample's statistics, the fit is kept.
  for (const solver::QualityThreshold& threshold : solver::QualityThresholds()) {
    const bool higher_is_worse =
        solver::FindQualityStatistic(threshold.statistic).worse == solver::Worse::kHigher;
    options_.quality.*threshold.field =
        higher_is_worse ? solver::QualityRule::kOff : -solver::QualityRule::kOff;
  }
  const ImageResult result = FitImage(model_, input_, out_ + "/kept", options_);
  const nlohmann::json fit = ReadJson(out_ + "/kept/fit.json");
  EXPECT_EQ(fit["verdict"], solver::VerdictName(result.quality.verdict()));
  EXPECT_EQ(fit["verdict"], "kept") << fit["reasons"].dump();
  EXPECT_TRUE(fit["reasons"].is_array());
  EXPECT_TRUE(fit["reasons"].empty());
}

}  // namespace
}  // namespace morphfit::pipeline
