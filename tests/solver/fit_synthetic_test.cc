#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/solver/contour_correspondence.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/synthetic_face.h"
#include "solver/solver_test_model.h"

namespace morphfit::solver {
namespace {

constexpr double kDegree = M_PI / 180.0;

TEST(ContourSides, FittedSideFacesTheCamera) {
  // At positive yaw the right contour's candidate vertices (iBUG 1-8 side) must face the camera
  // and the left ones turn away; VisibleContourSides must pick the facing side.
  const model::MorphableModel& model = testing::SfmModel();
  const Eigen::Matrix3Xd vertices = model.InstanceVertices({}, {});
  const Eigen::Matrix3Xd normals = model::VertexNormals(vertices, model.triangles);
  const Eigen::Matrix3d rotation = render::RotationFromYawPitchRoll(40 * kDegree, 0, 0);
  const Eigen::Vector3d translation(0, 0, 800);
  auto facing = [&](const std::vector<int>& candidates) {
    double sum = 0;
    for (int v : candidates) {
      const Eigen::Vector3d point = rotation * vertices.col(v) + translation;
      sum += -(rotation * normals.col(v)).dot(point.normalized());
    }
    return sum / candidates.size();
  };
  EXPECT_GT(facing(model.landmarks.right_contour_vertices), 0.2);
  EXPECT_LT(facing(model.landmarks.left_contour_vertices), 0.0);
  const ContourSides sides = VisibleContourSides(rotation, 10 * kDegree);
  EXPECT_TRUE(sides.right);
  EXPECT_FALSE(sides.left);
  const ContourSides frontal =
      VisibleContourSides(render::RotationFromYawPitchRoll(5 * kDegree, 0, 0), 10 * kDegree);
  EXPECT_TRUE(frontal.right && frontal.left);
}

class NoiselessRecovery : public ::testing::TestWithParam<int> {};

TEST_P(NoiselessRecovery, RecoversLandmarksAndPose) {
  const model::MorphableModel& model = testing::SfmModel();
  SyntheticFaceOptions synthetic;
  const SyntheticFace face = MakeSyntheticFace(model, synthetic, GetParam());

  // Estimator check without regularisation bias: negligible priors, known focal.
  FitOptions options;
  options.fov_deg = synthetic.fov_deg;
  options.optimize_focal = false;
  options.shape_prior_weight = 1e-9;
  options.expression_prior_weight = 1e-9;
  options.robust_loss = RobustLoss::kNone;
  options.max_iterations = 200;
  options.contour_iterations = 8;
  options.function_tolerance = 1e-14;
  options.parameter_tolerance = 1e-14;
  const FitResult result = Fit(model, face.landmarks, {synthetic.width, synthetic.height}, options);

  double max_error = 0;
  int used = 0;
  for (int i = 0; i < 68; ++i) {
    if (!result.landmark_in_fit[i]) continue;
    ++used;
    max_error =
        std::max(max_error, (result.fitted_landmarks.row(i) - face.clean_landmarks.row(i)).norm());
  }
  EXPECT_GE(used, 58);
  EXPECT_LT(max_error, 0.05) << "yaw " << face.yaw / kDegree;
  // The distance too: the contour and far-side silhouette correspondences agree with the
  // generator's, so nothing but the priors can move the face along the scale / distance
  // ambiguity (docs/photometric_diagnosis.md, "The near-camera bias").
  EXPECT_NEAR(result.camera.translation.z() / face.camera.translation.z(), 1.0, 1e-3)
      << "yaw " << face.yaw / kDegree;
  const Eigen::Vector3d pose = render::YawPitchRollFromRotation(result.camera.rotation);
  EXPECT_NEAR(pose[0], face.yaw, 0.5 * kDegree);
  EXPECT_NEAR(pose[1], face.pitch, 0.5 * kDegree);
  EXPECT_NEAR(pose[2], face.roll, 0.5 * kDegree);
  ASSERT_EQ(result.stages.size(), 2u);
  EXPECT_EQ(result.stages[1].name, "landmarks");
  EXPECT_LT(result.stages[1].final_cost, result.stages[1].initial_cost);
}

INSTANTIATE_TEST_SUITE_P(Seeds, NoiselessRecovery, ::testing::Range(1, 13));

// Root mean square distance of the inner landmarks (17-67) from their centroid, pixels.
double LandmarkSpread(const Landmarks& landmarks) {
  const Eigen::Matrix<double, 51, 2> inner = landmarks.bottomRows<51>();
  return std::sqrt((inner.rowwise() - inner.colwise().mean()).squaredNorm() / 51);
}

// Largest distance of a fitted inner landmark (17-67; the jaw's slide along the contour) from its
// clean position, pixels.
double MaxLandmarkError(const FitResult& result, const SyntheticFace& face) {
  double max_error = 0;
  for (int i = 17; i < 68; ++i) {
    if (!result.landmark_in_fit[i]) continue;
    max_error =
        std::max(max_error, (result.fitted_landmarks.row(i) - face.clean_landmarks.row(i)).norm());
  }
  return max_error;
}

TEST(SmallFace, AFaceOfAboutEightyPixelsInALargePhotoFitsAsAtUsualSize) {
  // OpenCV's SQPnP throws when the landmarks' rays spread by less than a normalised variance of
  // 1e-5: here the same faces 20 m away in a 6000-pixel photo, about 80 pixels wide. They must fit
  // as well, relative to their size, as at the usual distance (default options).
  const model::MorphableModel& model = testing::SfmModel();
  SyntheticFaceOptions usual;
  SyntheticFaceOptions small = usual;
  small.width = small.height = 6000;
  small.min_distance_mm = 20 * usual.min_distance_mm;
  small.max_distance_mm = 20 * usual.max_distance_mm;
  FitOptions options;
  options.fov_deg = usual.fov_deg;
  const double focal = small.width / 2 / std::tan(small.fov_deg / 2 * kDegree);
  for (int seed = 1; seed <= 3; ++seed) {
    const SyntheticFace near = MakeSyntheticFace(model, usual, seed);
    const SyntheticFace far = MakeSyntheticFace(model, small, seed);
    const double spread = LandmarkSpread(far.landmarks);
    ASSERT_LT(std::pow(spread / focal, 2), 1e-5) << "the scene no longer reaches SQPnP's limit";
    const FitResult near_fit = Fit(model, near.landmarks, {usual.width, usual.height}, options);
    const FitResult far_fit = Fit(model, far.landmarks, {small.width, small.height}, options);
    const double near_error = MaxLandmarkError(near_fit, near) / LandmarkSpread(near.landmarks);
    EXPECT_LT(MaxLandmarkError(far_fit, far) / spread, 1.25 * near_error + 0.01) << "seed " << seed;
    const Eigen::Vector3d pose = render::YawPitchRollFromRotation(far_fit.camera.rotation);
    const Eigen::Vector3d near_pose = render::YawPitchRollFromRotation(near_fit.camera.rotation);
    EXPECT_LT((pose - near_pose).cwiseAbs().maxCoeff(), 1 * kDegree) << "seed " << seed;
  }
}

// Median error of the fitted landmarks against the clean ones, over landmarks other than `skip`.
double MedianCleanError(const FitResult& result, const SyntheticFace& face, int skip) {
  std::vector<double> errors;
  for (int i = 0; i < 68; ++i) {
    if (i == skip || !result.landmark_in_fit[i]) continue;
    errors.push_back((result.fitted_landmarks.row(i) - face.clean_landmarks.row(i)).norm());
  }
  std::nth_element(errors.begin(), errors.begin() + errors.size() / 2, errors.end());
  return errors[errors.size() / 2];
}

TEST(RobustLoss, GrossOutlierPullsHuberLessThanLeastSquares) {
  const model::MorphableModel& model = testing::SfmModel();
  SyntheticFaceOptions synthetic;
  synthetic.max_abs_yaw_deg = 20;
  SyntheticFace face = MakeSyntheticFace(model, synthetic, 42);
  const int outlier = 30;  // nose tip, iBUG 31
  face.landmarks(outlier, 0) += 60.0;
  FitOptions options;
  options.fov_deg = synthetic.fov_deg;
  options.robust_loss = RobustLoss::kNone;
  const double plain = MedianCleanError(
      Fit(model, face.landmarks, {synthetic.width, synthetic.height}, options), face, outlier);
  options.robust_loss = RobustLoss::kHuber;
  const double huber = MedianCleanError(
      Fit(model, face.landmarks, {synthetic.width, synthetic.height}, options), face, outlier);
  options.robust_loss = RobustLoss::kCauchy;
  const double cauchy = MedianCleanError(
      Fit(model, face.landmarks, {synthetic.width, synthetic.height}, options), face, outlier);
  EXPECT_LT(huber, 0.8 * plain);
  EXPECT_LT(cauchy, 0.8 * plain);
}

TEST(Blendshapes, WeightsStayNonNegative) {
  const model::MorphableModel& model = testing::SfmModel();
  ASSERT_FALSE(model.expression.is_pca);
  SyntheticFaceOptions synthetic;
  synthetic.landmark_noise_px = 2.0;
  FitOptions options;
  options.expression_prior_weight = 0.01;  // let noise push weights below zero if it can
  bool any_held = false;
  for (int seed = 1; seed < 9; ++seed) {
    const SyntheticFace face = MakeSyntheticFace(model, synthetic, seed);
    const FitResult result =
        Fit(model, face.landmarks, {synthetic.width, synthetic.height}, options);
    EXPECT_GE(result.expression_coefficients.minCoeff(), 0.0) << "seed " << seed;
    any_held = any_held || result.expression_coefficients.minCoeff() == 0.0;
  }
  EXPECT_TRUE(any_held) << "no weight reached the bound: the test does not exercise it";
}

}  // namespace
}  // namespace morphfit::solver
