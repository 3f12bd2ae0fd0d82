#include <random>
#include <vector>

#include <ceres/gradient_checker.h>
#include <ceres/manifold.h>
#include <ceres/rotation.h>
#include <gtest/gtest.h>

#include "morphfit/render/camera.h"
#include "morphfit/solver/focal_prior.h"
#include "morphfit/solver/landmark_cost.h"

namespace morphfit::solver {
namespace {

model::LinearBasis RandomBasis(int vertices, int components, double magnitude, bool is_pca,
                               std::mt19937& random) {
  std::normal_distribution<double> normal(0.0, magnitude);
  model::LinearBasis basis;
  basis.scaled_basis.resize(3 * vertices, components);
  for (Eigen::Index i = 0; i < basis.scaled_basis.size(); ++i)
    basis.scaled_basis.data()[i] = normal(random);
  basis.stddev = Eigen::VectorXd::Ones(components);
  basis.is_pca = is_pca;
  return basis;
}

void ExpectGradientsMatch(const ceres::CostFunction& cost, const std::vector<double*>& blocks,
                          const std::vector<const ceres::Manifold*>* manifolds) {
  ceres::NumericDiffOptions numeric_options;
  numeric_options.ridders_relative_initial_step_size = 1e-3;
  ceres::GradientChecker checker(&cost, manifolds, numeric_options);
  ceres::GradientChecker::ProbeResults results;
  EXPECT_TRUE(checker.Probe(blocks.data(), 1e-7, &results)) << results.error_log;
}

class LandmarkCostGradient : public ::testing::TestWithParam<int> {};

TEST_P(LandmarkCostGradient, MatchesNumericDerivatives) {
  std::mt19937 random(GetParam());
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  const int num_shape = 12, num_expression = GetParam() % 2 == 0 ? 4 : 0;
  const int vertices = 5, vertex = 3;
  const model::LinearBasis shape = RandomBasis(vertices, num_shape + 3, 5.0, true, random);
  const model::LinearBasis expression = RandomBasis(vertices, 6, 3.0, false, random);
  const Eigen::Vector3d mean(30 * uniform(random), 40 * uniform(random), 10 * uniform(random));

  const Eigen::Matrix3d rotation = render::RotationFromYawPitchRoll(
      uniform(random), 0.3 * uniform(random), 0.3 * uniform(random));
  double q[4];
  ceres::RotationMatrixToQuaternion(ceres::ColumnMajorAdapter3x3(rotation.data()), q);
  double t[3] = {20 * uniform(random), 10 * uniform(random), 700 + 100 * uniform(random)};
  double f[1] = {1200 + 200 * uniform(random)};
  std::vector<double> cs(num_shape), ce(num_expression);
  for (double& c : cs) c = uniform(random);
  for (double& c : ce) c = 0.5 + 0.5 * uniform(random);

  const Eigen::Vector2d observed(300 + 50 * uniform(random), 200 + 50 * uniform(random));
  std::unique_ptr<LandmarkCost> cost(LandmarkCost::Create(mean, shape, num_shape, expression,
                                                          num_expression, vertex, observed,
                                                          Eigen::Vector2d(319.5, 239.5), 0.7));
  std::vector<double*> blocks = {q, t, f, cs.data()};
  if (num_expression > 0) blocks.push_back(ce.data());

  ceres::QuaternionManifold quaternion;
  std::vector<const ceres::Manifold*> manifolds(blocks.size(), nullptr);
  manifolds[0] = &quaternion;
  ExpectGradientsMatch(*cost, blocks, &manifolds);
}

INSTANTIATE_TEST_SUITE_P(RandomStates, LandmarkCostGradient, ::testing::Range(1, 9));

TEST(LandmarkCost, ReadsOnlyItsVertexRows) {
  // Changing another vertex's basis rows must not change this residual.
  std::mt19937 random(7);
  model::LinearBasis shape = RandomBasis(4, 5, 5.0, true, random);
  const model::LinearBasis expression;
  double q[4] = {1, 0, 0, 0}, t[3] = {0, 0, 500}, f[1] = {800};
  std::vector<double> cs = {0.5, -1, 1, 0.2, 0.1};
  double* blocks[] = {q, t, f, cs.data()};
  auto residual = [&]() {
    std::unique_ptr<LandmarkCost> cost(LandmarkCost::Create(Eigen::Vector3d(1, 2, 3), shape, 5,
                                                            expression, 0, 2, Eigen::Vector2d(1, 1),
                                                            Eigen::Vector2d(0, 0), 1.0));
    Eigen::Vector2d r;
    EXPECT_TRUE(cost->Evaluate(blocks, r.data(), nullptr));
    return r;
  };
  const Eigen::Vector2d before = residual();
  shape.scaled_basis.middleRows(0, 6).setConstant(100.0);
  shape.scaled_basis.middleRows(9, 3).setConstant(-100.0);
  EXPECT_EQ(residual(), before);
  shape.scaled_basis.middleRows(6, 3).setConstant(100.0);
  EXPECT_NE(residual(), before);
}

TEST(LandmarkCost, RejectsPointsBehindTheCamera) {
  std::mt19937 random(3);
  const model::LinearBasis shape = RandomBasis(2, 3, 1.0, true, random);
  double q[4] = {1, 0, 0, 0}, t[3] = {0, 0, -500}, f[1] = {800};
  double cs[3] = {0, 0, 0};
  double* blocks[] = {q, t, f, cs};
  std::unique_ptr<LandmarkCost> cost(
      LandmarkCost::Create(Eigen::Vector3d::Zero(), shape, 3, model::LinearBasis(), 0, 1,
                           Eigen::Vector2d(1, 1), Eigen::Vector2d(0, 0), 1.0));
  Eigen::Vector2d r;
  EXPECT_FALSE(cost->Evaluate(blocks, r.data(), nullptr));
}

TEST(CoefficientPriorCost, MatchesNumericDerivatives) {
  std::vector<double> c = {0.3, -1.2, 2.0, 0.0, 0.7};
  std::unique_ptr<CoefficientPriorCost> cost(CoefficientPriorCost::Create(5, 2.5));
  ExpectGradientsMatch(*cost, {c.data()}, nullptr);
  Eigen::VectorXd r(5);
  const double* blocks[] = {c.data()};
  ASSERT_TRUE(cost->Evaluate(blocks, r.data(), nullptr));
  EXPECT_NEAR(r[1], -1.2 * std::sqrt(2.5), 1e-12);
}

TEST(FocalPriorCost, MatchesNumericDerivatives) {
  double f[1] = {1350.0};
  std::unique_ptr<ceres::CostFunction> cost(FocalPriorCost::Create(1200.0, 9.0));
  ExpectGradientsMatch(*cost, {f}, nullptr);
  double r = 0;
  const double* blocks[] = {f};
  ASSERT_TRUE(cost->Evaluate(blocks, &r, nullptr));
  EXPECT_NEAR(r, 3.0 * std::log(1350.0 / 1200.0), 1e-12);
}

}  // namespace
}  // namespace morphfit::solver
