#include "morphfit/synth/scene_realism.h"

#include <cmath>

#include <gtest/gtest.h>

#include "morphfit/model/model_io.h"
#include "morphfit/synth/synthetic_scene.h"
#include "shared_data.h"

namespace morphfit::synth {
namespace {

// Jaw points 0-16 on a vertical line (tangent = y), everything else spread on a grid; outer eye
// corners 36 and 45 are 100 px apart.
Landmarks StraightJawLandmarks() {
  Landmarks landmarks;
  for (int i = 0; i < 68; ++i) landmarks.row(i) << 200 + 3 * (i % 10), 100 + 3 * i;
  for (int i = 0; i < 17; ++i) landmarks.row(i) << 100, 100 + 10 * i;
  landmarks.row(36) << 150, 50;
  landmarks.row(45) << 250, 50;
  return landmarks;
}

TEST(SceneRealismTest, AnnotationNoiseIsRelativeToEyeDistanceAndLongerAlongTheJaw) {
  RealismOptions options;
  options.annotation_noise = 0.02;
  options.contour_noise_along = 0.06;
  const Landmarks clean = StraightJawLandmarks();
  ASSERT_NEAR(OuterEyeCornerDistance(clean), 100.0, 1e-9);
  cv::RNG rng(7);
  constexpr int kDraws = 3000;
  double jaw_x = 0, jaw_y = 0, inner_x = 0, inner_y = 0;
  for (int draw = 0; draw < kDraws; ++draw) {
    Landmarks noisy = clean;
    AddAnnotationNoise(options, noisy, rng);
    const Landmarks d = noisy - clean;
    jaw_x += d(8, 0) * d(8, 0);  // across the (vertical) contour
    jaw_y += d(8, 1) * d(8, 1);  // along it
    inner_x += d(30, 0) * d(30, 0);
    inner_y += d(30, 1) * d(30, 1);
  }
  // Expected sigmas (px): across 2, along 6, inner 2 per axis; 3000 draws: about 3% on sigma.
  EXPECT_NEAR(std::sqrt(jaw_x / kDraws), 2.0, 0.2);
  EXPECT_NEAR(std::sqrt(jaw_y / kDraws), 6.0, 0.5);
  EXPECT_NEAR(std::sqrt(inner_x / kDraws), 2.0, 0.2);
  EXPECT_NEAR(std::sqrt(inner_y / kDraws), 2.0, 0.2);
}

TEST(SceneRealismTest, OutOfModelDetailMovesDepthOnlyWithTheRequestedRms) {
  RealismOptions options;
  options.detail_rms_mm = 1.5;
  Eigen::Matrix3Xd grid(3, 41 * 41);
  for (int i = 0; i < 41; ++i) {
    for (int j = 0; j < 41; ++j) grid.col(41 * i + j) << 5.0 * i - 100, 5.0 * j - 100, 0;
  }
  double sum_squares = 0;
  constexpr int kFields = 40;
  cv::RNG rng(3);
  for (int field = 0; field < kFields; ++field) {
    Eigen::Matrix3Xd displaced = grid;
    AddOutOfModelDetail(options, displaced, rng);
    EXPECT_EQ((displaced.topRows(2) - grid.topRows(2)).norm(), 0.0);
    sum_squares += (displaced.row(2) - grid.row(2)).squaredNorm();
  }
  EXPECT_NEAR(std::sqrt(sum_squares / (kFields * grid.cols())), 1.5, 0.2);
}

TEST(SceneRealismTest, RealisticScenesAreDeterministicAndDifferFromIdealisedOnes) {
  const model::MorphableModel model =
      model::LoadModelDirectory(morphfit::testing::RequireSharedPath("models/sfm"));
  SceneOptions options;
  options.face.width = options.face.height = 320;
  options.face.min_distance_mm = options.face.max_distance_mm = 700;
  const SyntheticScene a = MakeSyntheticScene(model, options, Corruption::kNone, 11);
  const SyntheticScene b = MakeSyntheticScene(model, options, Corruption::kNone, 11);
  ASSERT_EQ(a.image.size(), b.image.size());
  EXPECT_EQ(cv::norm(a.image, b.image, cv::NORM_INF), 0.0);
  EXPECT_EQ((a.landmarks - b.landmarks).norm(), 0.0);
  // Annotation noise is there, and about its nominal size (RMS over 2 x 68 coordinates).
  const double eyes = OuterEyeCornerDistance(a.face.clean_landmarks);
  const double rms = std::sqrt((a.landmarks - a.face.clean_landmarks).squaredNorm() / 136);
  EXPECT_GT(rms, 0.5 * options.realism.annotation_noise * eyes);
  EXPECT_LT(rms, 4.0 * options.realism.contour_noise_along * eyes);

  SceneOptions idealised = SceneOptions::Idealised();
  idealised.face = options.face;
  idealised.face.coefficient_distribution =
      solver::SyntheticFaceOptions::CoefficientDistribution::kUniform;
  idealised.face.max_abs_coefficient = 1.7320508075688772;
  idealised.face.landmark_noise_px = 1.0;
  const SyntheticScene c = MakeSyntheticScene(model, idealised, Corruption::kNone, 11);
  EXPECT_GT(cv::norm(a.image, c.image, cv::NORM_L1), 0.0);
}

}  // namespace
}  // namespace morphfit::synth
