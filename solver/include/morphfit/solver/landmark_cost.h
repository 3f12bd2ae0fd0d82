#pragma once

#include <ceres/cost_function.h>
#include <Eigen/Core>

#include "morphfit/model/linear_basis.h"

namespace morphfit::solver {

// Reprojection residual of one model vertex against one image landmark:
//   r = scale * (project(R(q) X + t; f, c) - observed),  X = mean_v + S_v cs + E_v ce
// Parameter blocks: rotation q (4, Ceres order w x y z, kept unit by ceres::QuaternionManifold),
// translation t (3, mm), focal f (1, pixels), shape coefficients cs (Ks), and expression
// coefficients ce (Ke) when num_expression > 0.
//
// It reads only the 3 basis rows of its vertex (LinearBasis::VertexRows), so one residual costs
// O(Ks + Ke). The Jacobian is analytic in the coefficients (the vertex is linear in them) and uses
// small forward-mode automatic differentiation (11 derivatives) through rotation and projection.
class LandmarkCost final : public ceres::CostFunction {
 public:
  // `mean_vertex` is the mean position of the vertex; `shape_rows` / `expression_rows` point to
  // its 3 rows (3 x row_stride doubles, row-major, as LinearBasis stores them). The first
  // num_shape / num_expression columns are used. The pointers must outlive the cost.
  LandmarkCost(const Eigen::Vector3d& mean_vertex, const double* shape_rows, int shape_stride,
               int num_shape, const double* expression_rows, int expression_stride,
               int num_expression, const Eigen::Vector2d& observed,
               const Eigen::Vector2d& principal_point, double scale);

  // Convenience for a vertex of a model's bases.
  static LandmarkCost* Create(const Eigen::Vector3d& mean_vertex, const model::LinearBasis& shape,
                              int num_shape, const model::LinearBasis& expression,
                              int num_expression, int vertex, const Eigen::Vector2d& observed,
                              const Eigen::Vector2d& principal_point, double scale);

  bool Evaluate(double const* const* parameters, double* residuals,
                double** jacobians) const override;

 private:
  Eigen::Vector3d mean_vertex_;
  const double* shape_rows_;
  int shape_stride_;
  int num_shape_;
  const double* expression_rows_;
  int expression_stride_;
  int num_expression_;
  Eigen::Vector2d observed_;
  Eigen::Vector2d principal_point_;
  double scale_;
};

// Tikhonov prior on a coefficient vector: r = sqrt(weight) * c. Analytic (diagonal) Jacobian.
class CoefficientPriorCost final : public ceres::CostFunction {
 public:
  CoefficientPriorCost(int size, double weight);
  static CoefficientPriorCost* Create(int size, double weight) {
    return new CoefficientPriorCost(size, weight);
  }
  bool Evaluate(double const* const* parameters, double* residuals,
                double** jacobians) const override;

 private:
  double sqrt_weight_;
};

}  // namespace morphfit::solver
