#include "morphfit/solver/photometric_cost.h"
#include <Eigen/Geometry>

#include <random>
#include <vector>

#include <ceres/gradient_checker.h>
#include <ceres/manifold.h>
#include <gtest/gtest.h>

#include "morphfit/render/camera.h"
#include "test_model.h"

namespace morphfit::solver {
namespace {

// A smooth colour image, so that bicubic derivatives are well defined everywhere sampled.
std::vector<float> SmoothImage(int width, int height) {
  std::vector<float> pixels(3 * width * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        pixels[3 * (y * width + x) + c] =
            0.5f + 0.3f * std::sin(0.11f * x + 0.7f * c) * std::cos(0.07f * y - 0.3f * c);
      }
    }
  }
  return pixels;
}

TEST(PhotometricCostTest, JacobiansMatchNumericDerivatives) {
  const model::MorphableModel model = testing::SmallRandomModel(40, 5, 3, 7);
  const int width = 200, height = 160;
  const std::vector<float> pixels = SmoothImage(width, height);
  const ImageGrid grid(pixels.data(), 0, height, 0, width);
  const ImageInterpolator interpolator(grid);

  std::mt19937 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd shape(5), expression(3);
  for (auto& v : shape) v = 0.5 * normal(rng);
  for (auto& v : expression) v = 0.3 * normal(rng);
  const Eigen::Quaterniond q(Eigen::Matrix3d(render::RotationFromYawPitchRoll(0.3, -0.1, 0.05)));
  double rotation[4] = {q.w(), q.x(), q.y(), q.z()};
  double translation[3] = {2.0, -3.0, 600.0};
  double focal = 700.0;
  Eigen::Matrix<double, 9, 3> lighting;
  for (int i = 0; i < 27; ++i) lighting.data()[i] = 0.3 * normal(rng);
  lighting.row(0).setConstant(1.5);

  LevelProjection projection;
  projection.level_scale = 0.2;
  projection.level_principal_point = Eigen::Vector2d(width / 2.0, height / 2.0);

  ceres::QuaternionManifold quaternion_manifold;
  std::vector<const ceres::Manifold*> manifolds = {
      &quaternion_manifold, nullptr, nullptr, nullptr, nullptr, nullptr};
  ceres::NumericDiffOptions numeric_options;
  numeric_options.ridders_relative_initial_step_size = 1e-5;  // stay inside one bicubic cell
  for (int t = 0; t < 20; ++t) {
    PhotoSample sample;
    const Eigen::Vector3i tri = model.triangles[t % model.triangles.size()];
    sample.vertices = {tri[0], tri[1], tri[2]};
    Eigen::Vector3d b(0.1 + std::abs(normal(rng)), 0.1 + std::abs(normal(rng)),
                      0.1 + std::abs(normal(rng)));
    sample.barycentric = b / b.sum();
    sample.albedo = Eigen::Vector3d(0.6, 0.45, 0.4);
    sample.normal_offset = 0.1 * Eigen::Vector3d(normal(rng), normal(rng), normal(rng));
    const PhotometricCost cost(model, sample, interpolator, projection, 2.0);
    const double* parameters[] = {rotation,     translation,       &focal,
                                  shape.data(), expression.data(), lighting.data()};
    ceres::GradientChecker checker(&cost, &manifolds, numeric_options);
    ceres::GradientChecker::ProbeResults results;
    EXPECT_TRUE(checker.Probe(parameters, 1e-5, &results)) << results.error_log;
    EXPECT_GT(results.jacobians[3].norm(), 0.0);  // the shape Jacobian is exercised
  }
}

}  // namespace
}  // namespace morphfit::solver
