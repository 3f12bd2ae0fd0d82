#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "morphfit/model/error.h"
#include "morphfit/render/shading.h"
#include "morphfit/solver/albedo_estimate.h"
#include "morphfit/solver/face_crop.h"
#include "morphfit/solver/lighting_estimate.h"
#include "morphfit/solver/photometric_cost.h"
#include "morphfit/solver/photometric_options.h"
#include "test_model.h"

namespace morphfit::solver {
namespace {

TEST(SolveLightingTest, RecoversLightingFromExactShading) {
  std::mt19937 rng(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  const ShLighting truth = render::AmbientLight(Eigen::Vector3d(0.7, 0.6, 0.5)) +
                           render::DirectionalLight(Eigen::Vector3d(0.3, -0.2, -1).normalized(),
                                                    Eigen::Vector3d(0.5, 0.4, 0.45));
  std::vector<ShadingObservation> observations;
  std::vector<Eigen::Vector3d> albedo;
  for (int s = 0; s < 400; ++s) {
    // Normals over the hemisphere facing the camera (negative z in camera space).
    Eigen::Vector3d n(normal(rng), normal(rng), -std::abs(normal(rng)) - 0.2);
    n.normalize();
    ShadingObservation o;
    o.sh = ShBasisForCameraNormal(n);
    const Eigen::Vector3d a(0.4 + 0.1 * (s % 3), 0.5, 0.3 + 0.05 * (s % 5));
    o.colour = a.cwiseProduct(truth.transpose() * o.sh);
    observations.push_back(o);
    albedo.push_back(a);
  }
  const ShLighting fitted = SolveLighting(observations, albedo, 1e-12);
  EXPECT_LT((fitted - truth).cwiseAbs().maxCoeff(), 1e-6);
  // A strong ridge shrinks bands 1-2 but leaves the constant term free.
  const ShLighting ridged = SolveLighting(observations, albedo, 1e6);
  EXPECT_LT(ridged.bottomRows<8>().cwiseAbs().maxCoeff(), 1e-2);
  EXPECT_GT(ridged.row(0).minCoeff(), 0.5 * truth.row(0).minCoeff());
}

TEST(VertexAlbedoSolverTest, RecoversObservedAlbedoAndFillsTheRest) {
  const model::MorphableModel model = testing::SmallRandomModel(12, 2, 0, 3);
  AlbedoWeights weights;
  weights.prior = 1e-3;
  weights.smoothness = 1e-2;
  weights.symmetry = 0.0;
  weights.reference = Eigen::Vector3d(0.5, 0.5, 0.5);
  const VertexAlbedoSolver solver(model, weights);
  const Eigen::Vector3d truth(0.7, 0.45, 0.3);
  std::vector<AlbedoObservation> observations;
  // Observe every other triangle densely with varying shading.
  for (size_t t = 0; t < model.triangles.size(); t += 2) {
    for (int k = 0; k < 3; ++k) {
      AlbedoObservation o;
      o.vertices = {model.triangles[t][0], model.triangles[t][1], model.triangles[t][2]};
      o.barycentric = Eigen::Vector3d::Constant(0.1);
      o.barycentric[k] = 0.8;
      o.shading = Eigen::Vector3d::Constant(0.8 + 0.1 * k);
      o.colour = truth.cwiseProduct(o.shading);
      observations.push_back(o);
    }
  }
  const Eigen::Matrix3Xd albedo = solver.Solve(observations);
  ASSERT_EQ(albedo.cols(), model.num_vertices());
  for (int v = 0; v < model.num_vertices(); ++v) {
    EXPECT_NEAR(albedo(0, v), truth[0], 0.02) << v;
    EXPECT_NEAR(albedo(2, v), truth[2], 0.02) << v;
  }
  // Without data the prior's reference is the answer.
  const Eigen::Matrix3Xd prior_only = solver.Solve({});
  EXPECT_LT((prior_only.colwise() - weights.reference).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(VertexAlbedoSolverTest, SmoothnessScaleMatchesASolverBuiltWithTheScaledWeight) {
  const model::MorphableModel model = testing::SmallRandomModel(12, 2, 0, 3);
  AlbedoWeights weights;
  weights.prior = 1e-2;
  weights.smoothness = 0.1;
  weights.symmetry = 0.0;
  AlbedoWeights scaled = weights;
  scaled.smoothness = 100 * weights.smoothness;
  const VertexAlbedoSolver solver(model, weights), scaled_solver(model, scaled);
  // A checkerboard of albedo over the triangles: smoothing flattens it.
  std::vector<AlbedoObservation> observations;
  for (size_t t = 0; t < model.triangles.size(); ++t) {
    AlbedoObservation o;
    o.vertices = {model.triangles[t][0], model.triangles[t][1], model.triangles[t][2]};
    o.barycentric = Eigen::Vector3d::Constant(1.0 / 3);
    o.shading = Eigen::Vector3d::Constant(0.9);
    o.colour = Eigen::Vector3d::Constant(t % 2 == 0 ? 0.2 : 0.8);
    observations.push_back(o);
  }
  const Eigen::Matrix3Xd rough = solver.Solve(observations);
  const Eigen::Matrix3Xd smooth = solver.Solve(observations, 100.0);
  EXPECT_LT((smooth - scaled_solver.Solve(observations)).cwiseAbs().maxCoeff(), 1e-9);
  auto spread = [](const Eigen::Matrix3Xd& a) { return a.row(0).maxCoeff() - a.row(0).minCoeff(); };
  EXPECT_LT(spread(smooth), 0.5 * spread(rough));
  EXPECT_THROW(solver.Solve(observations, 0.0), Error);
}

TEST(FacePyramidTest, LevelsMapPixelsConsistentlyWithTheImage) {
  // A ramp image: the value at a level pixel tells which full-image pixel it came from.
  cv::Mat image(600, 800, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      image.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<uint8_t>(x / 4), static_cast<uint8_t>(y / 4), 0);
    }
  }
  const std::vector<CropLevel> pyramid =
      BuildFacePyramid(image, Eigen::Vector4d(200, 100, 712, 612), 256.0, 3);
  ASSERT_EQ(pyramid.size(), 3u);
  EXPECT_NEAR(pyramid[0].scale, 0.5, 1e-12);
  EXPECT_NEAR(pyramid[1].scale, 0.25, 1e-12);
  for (const CropLevel& level : pyramid) {
    const Eigen::Vector2d p(321.0, 257.0);
    EXPECT_LT((level.ToFull(level.FromFull(p)) - p).norm(), 1e-9);
    const Eigen::Vector2d q = level.FromFull(Eigen::Vector2d(400.5, 300.5));
    const cv::Vec3f value = level.image.at<cv::Vec3f>(static_cast<int>(std::lround(q.y())),
                                                      static_cast<int>(std::lround(q.x())));
    // RGB order: red is the x ramp (BGR blue channel was x / 4).
    EXPECT_NEAR(value[2] * 255.0, 400.5 / 4, 2.0 / level.scale);
    EXPECT_NEAR(value[1] * 255.0, 300.5 / 4, 2.0 / level.scale);
  }
  render::Camera full = render::Camera::ForImage(800, 600, 700.0);
  full.translation = Eigen::Vector3d(10, -5, 500);
  const render::Camera camera = pyramid[1].LevelCamera(full);
  const Eigen::Vector3d point(30, 20, 40);
  EXPECT_LT(
      (camera.ProjectModelPoint(point) - pyramid[1].FromFull(full.ProjectModelPoint(point))).norm(),
      1e-9);
}

TEST(PhotometricOptionsTest, RejectsBadValues) {
  PhotometricOptions options;
  EXPECT_NO_THROW(options.Validate());
  options.samples = 5;
  EXPECT_THROW(options.Validate(), Error);
  options = PhotometricOptions();
  options.robust_scale = 0;
  EXPECT_THROW(options.Validate(), Error);
  options = PhotometricOptions();
  options.albedo_prior_weight = 0;
  options.albedo_smoothness_weight = 0;
  EXPECT_THROW(options.Validate(), Error);
  options = PhotometricOptions();
  options.pyramid_levels = 0;
  EXPECT_THROW(options.Validate(), Error);
  options = PhotometricOptions();
  options.albedo_samples = options.samples - 1;  // fewer than the geometry's samples
  EXPECT_THROW(options.Validate(), Error);
  options.albedo_samples = options.samples;
  EXPECT_NO_THROW(options.Validate());
}

}  // namespace
}  // namespace morphfit::solver
