#include <cmath>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/render/camera.h"
#include "morphfit/solver/fit_statistics.h"
#include "morphfit/solver/robust_statistics.h"
#include "quality_test_fixtures.h"

namespace morphfit::solver {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Input landmarks on a 10-wide grid: landmark i at (100 + 10 (i % 10), 100 + 10 (i / 10)), so
// x spans 100..190 and y 100..160; the outer eye corners 36 (160, 130) and 45 (150, 140) are
// sqrt(200) apart.
Landmarks GridLandmarks() {
  Landmarks landmarks;
  for (int i = 0; i < 68; ++i) landmarks.row(i) << 100 + 10 * (i % 10), 100 + 10 * (i / 10);
  return landmarks;
}

FitResult FrontalFit(const model::MorphableModel& model) {
  FitResult result;
  result.shape_coefficients = Eigen::VectorXd::Zero(model.shape.num_components());
  result.expression_coefficients = Eigen::VectorXd::Zero(model.expression.num_components());
  result.camera = render::Camera::ForImage(640, 480, 500);
  result.camera.rotation = render::RotationFromYawPitchRoll(0, 0, 0);
  result.camera.translation = Eigen::Vector3d(0, 0, 500);
  result.fitted_landmarks = GridLandmarks();
  return result;
}

class FitStatisticsTest : public ::testing::Test {
 protected:
  model::MorphableModel model_ = testing::TwoTriangleModel();
  Landmarks input_ = GridLandmarks();
  FitResult result_ = FrontalFit(model_);
};

TEST_F(FitStatisticsTest, LandmarkErrorsOverMappedLandmarks) {
  // Every fitted landmark off by (3, 4) = 5 px, mouth landmark 55 by (5, 12) = 13 px, and the
  // unmapped 60 by 1000 px, which must not count.
  result_.fitted_landmarks.rowwise() += Eigen::RowVector2d(3, 4);
  result_.fitted_landmarks.row(55) = input_.row(55) + Eigen::RowVector2d(5, 12);
  result_.fitted_landmarks.row(60) = input_.row(60) + Eigen::RowVector2d(1000, 0);
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_);
  const double eyes = std::sqrt(200.0);
  EXPECT_EQ(s.landmarks_used, 66);
  EXPECT_DOUBLE_EQ(s.eye_corner_distance_px, eyes);
  EXPECT_NEAR(s.landmark_rms_px, std::sqrt((65 * 25.0 + 169) / 66), 1e-12);
  EXPECT_NEAR(s.landmark_max_px, 13, 1e-12);
  EXPECT_NEAR(s.landmark_rms_nme, std::sqrt((65 * 25.0 + 169) / 66) / eyes, 1e-12);
  EXPECT_NEAR(s.landmark_max_nme, 13 / eyes, 1e-12);

  const auto& jaw = s.regions[static_cast<int>(FaceRegion::kJaw)];
  EXPECT_EQ(jaw.count, 17);
  EXPECT_NEAR(jaw.rms_px, 5, 1e-12);
  EXPECT_NEAR(jaw.rms_nme, 5 / eyes, 1e-12);
  EXPECT_EQ(s.regions[static_cast<int>(FaceRegion::kBrows)].count, 10);
  EXPECT_EQ(s.regions[static_cast<int>(FaceRegion::kNose)].count, 9);
  EXPECT_EQ(s.regions[static_cast<int>(FaceRegion::kEyes)].count, 12);
  const auto& mouth = s.regions[static_cast<int>(FaceRegion::kMouth)];
  EXPECT_EQ(mouth.count, 18);  // 20 minus the unmapped inner corners
  EXPECT_NEAR(mouth.rms_px, std::sqrt((17 * 25.0 + 169) / 18), 1e-12);
  EXPECT_NEAR(s.worst_region_nme, mouth.rms_nme, 1e-15);
}

TEST_F(FitStatisticsTest, OnlyLandmarksTheFitUsedCount) {
  // The fit left out the jaw (e.g. the far-side contour of a turned face): its error is ignored.
  result_.landmark_in_fit.fill(true);
  for (int i = 0; i < 17; ++i) result_.landmark_in_fit[i] = false;
  result_.landmark_in_fit[60] = result_.landmark_in_fit[64] = false;
  for (int i = 0; i < 17; ++i)
    result_.fitted_landmarks.row(i) = input_.row(i) + Eigen::RowVector2d(30, 40);
  for (int i = 17; i < 68; ++i)
    result_.fitted_landmarks.row(i) = input_.row(i) + Eigen::RowVector2d(3, 4);
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_);
  EXPECT_EQ(s.landmarks_used, 49);
  EXPECT_NEAR(s.landmark_rms_px, 5, 1e-12);
  EXPECT_NEAR(s.landmark_max_px, 5, 1e-12);
  EXPECT_EQ(s.regions[static_cast<int>(FaceRegion::kJaw)].count, 0);
}

TEST_F(FitStatisticsTest, FaceSizeIsTheRootOfTheFittedLandmarkBoxArea) {
  result_.fitted_landmarks.rowwise() += Eigen::RowVector2d(3, 4);
  // Mapped landmarks span x 100..190 and y 100..160 (row 6: 61-63, 65-67 are mapped).
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_);
  EXPECT_NEAR(s.face_size_px, std::sqrt(90.0 * 60.0), 1e-12);
}

TEST_F(FitStatisticsTest, CoefficientPlausibilityInStandardDeviations) {
  result_.shape_coefficients << 3, -4, 0;
  result_.expression_coefficients << 0.5, -1.5;
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_);
  EXPECT_NEAR(s.shape_mahalanobis, 5, 1e-12);
  EXPECT_NEAR(s.expression_mahalanobis, std::sqrt(2.5), 1e-12);
  EXPECT_NEAR(s.max_abs_shape_coefficient, 4, 1e-12);
  EXPECT_NEAR(s.max_abs_expression_coefficient, 1.5, 1e-12);
  EXPECT_NEAR(s.max_abs_coefficient, 4, 1e-12);
}

TEST_F(FitStatisticsTest, PoseInDegreesAndFocal) {
  result_.camera.rotation =
      render::RotationFromYawPitchRoll(30 * kPi / 180, -10 * kPi / 180, 5 * kPi / 180);
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_);
  EXPECT_NEAR(s.yaw_deg, 30, 1e-9);
  EXPECT_NEAR(s.pitch_deg, -10, 1e-9);
  EXPECT_NEAR(s.roll_deg, 5, 1e-9);
  EXPECT_DOUBLE_EQ(s.focal_px, 500);
}

TEST_F(FitStatisticsTest, VisibleFractionIsAreaWeightedOverFrontFacingTriangles) {
  // Frontal: the 50 mm^2 triangle faces the camera, the 150 mm^2 one faces away.
  EXPECT_NEAR(ComputeFitStatistics(model_, result_, input_).visible_fraction, 0.25, 1e-12);
  // Turned around (yaw 180 degrees) it is the other way round.
  result_.camera.rotation = render::RotationFromYawPitchRoll(kPi, 0, 0);
  EXPECT_NEAR(ComputeFitStatistics(model_, result_, input_).visible_fraction, 0.75, 1e-12);
}

TEST_F(FitStatisticsTest, VisibleFractionExcludesTrianglesOutsideTheImage) {
  // Shift the face 340 px to the left: x = 500 * (x_mm - 340) / 500 + 319.5 <= -10.5 for the
  // whole front triangle (x_mm <= 10).
  result_.camera.translation = Eigen::Vector3d(-340, 0, 500);
  EXPECT_NEAR(ComputeFitStatistics(model_, result_, input_).visible_fraction, 0, 1e-12);
}

TEST_F(FitStatisticsTest, VisibleFractionFromRendererVisibility) {
  FitObservations observations;
  observations.triangle_visible = {0, 1};
  EXPECT_NEAR(ComputeFitStatistics(model_, result_, input_, observations).visible_fraction, 0.75,
              1e-12);
  observations.triangle_visible = {1};
  EXPECT_THROW(ComputeFitStatistics(model_, result_, input_, observations), Error);
}

TEST_F(FitStatisticsTest, PhotometricFromResiduals) {
  FitObservations observations;
  observations.photo_residuals = {0.1, -0.2, 0.3, -0.4, 1.0};
  observations.photo_inliers = {1, 1, 1, 1, 0};
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_, observations);
  ASSERT_TRUE(s.has_photometric);
  EXPECT_EQ(s.photo_samples, 5);
  EXPECT_NEAR(s.photo_rms, std::sqrt(1.30 / 5), 1e-12);
  EXPECT_NEAR(s.photo_median_abs, 0.3, 1e-12);
  EXPECT_NEAR(s.photo_inlier_fraction, 0.8, 1e-12);

  observations.photo_inliers = {1, 1};
  EXPECT_THROW(ComputeFitStatistics(model_, result_, input_, observations), Error);
}

TEST_F(FitStatisticsTest, PhotometricFromTheLastPhotometricStage) {
  EXPECT_FALSE(ComputeFitStatistics(model_, result_, input_).has_photometric);
  StageStatistics photometric;
  photometric.name = "photometric";
  photometric.photo_samples = 4000;
  photometric.photo_rms = 0.07;
  photometric.photo_median_abs = 0.04;
  photometric.photo_inlier_fraction = 0.9;
  StageStatistics landmarks;
  landmarks.name = "landmarks";
  result_.stages = {landmarks, photometric};
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_);
  ASSERT_TRUE(s.has_photometric);
  EXPECT_EQ(s.photo_samples, 4000);
  EXPECT_DOUBLE_EQ(s.photo_rms, 0.07);
  EXPECT_DOUBLE_EQ(s.photo_median_abs, 0.04);
  EXPECT_DOUBLE_EQ(s.photo_inlier_fraction, 0.9);
}

TEST_F(FitStatisticsTest, StageTerminationAndCostReduction) {
  StageStatistics stage;
  stage.name = "landmarks";
  stage.termination = "NO_CONVERGENCE";
  stage.iterations = 50;
  stage.initial_cost = 200;
  stage.final_cost = 50;
  StageStatistics empty;
  empty.name = "rigid";
  result_.stages = {empty, stage};
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_);
  ASSERT_EQ(s.stages.size(), 2u);
  EXPECT_EQ(s.stages[0].name, "rigid");
  EXPECT_DOUBLE_EQ(s.stages[0].cost_reduction, 0);
  EXPECT_EQ(s.stages[1].termination, "NO_CONVERGENCE");
  EXPECT_EQ(s.stages[1].iterations, 50);
  EXPECT_DOUBLE_EQ(s.stages[1].cost_reduction, 0.75);
}

TEST_F(FitStatisticsTest, RejectsInconsistentInput) {
  result_.shape_coefficients = Eigen::VectorXd::Zero(4);
  EXPECT_THROW(ComputeFitStatistics(model_, result_, input_), Error);
  result_ = FrontalFit(model_);
  result_.camera.width = 0;
  EXPECT_THROW(ComputeFitStatistics(model_, result_, input_), Error);
}

TEST_F(FitStatisticsTest, CollapsedEyeDistanceGivesNonFiniteNme) {
  input_.row(45) = input_.row(36);
  result_.fitted_landmarks.rowwise() += Eigen::RowVector2d(1, 0);
  const FitStatistics s = ComputeFitStatistics(model_, result_, input_);
  EXPECT_FALSE(std::isfinite(s.landmark_rms_nme));
  EXPECT_FALSE(std::isfinite(s.worst_region_nme));
}

TEST(RobustStatistics, MedianAndScaledMad) {
  EXPECT_DOUBLE_EQ(Median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_TRUE(std::isnan(Median({})));
  // Deviations from the median 3: 2 1 0 1 7 -> median 1.
  EXPECT_DOUBLE_EQ(ScaledMedianAbsoluteDeviation({1, 2, 3, 4, 10}), 1.4826);
}

}  // namespace
}  // namespace morphfit::solver
