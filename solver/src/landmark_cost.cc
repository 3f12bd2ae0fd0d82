#include "morphfit/solver/landmark_cost.h"

#include <cmath>

#include <ceres/jet.h>
#include <ceres/rotation.h>

namespace morphfit::solver {

namespace {
// Derivatives carried through rotation and projection: q (4), t (3), f (1), X (3).
constexpr int kPoseDerivatives = 11;
using Jet = ceres::Jet<double, kPoseDerivatives>;
}  // namespace

LandmarkCost::LandmarkCost(const Eigen::Vector3d& mean_vertex, const double* shape_rows,
                           int shape_stride, int num_shape, const double* expression_rows,
                           int expression_stride, int num_expression,
                           const Eigen::Vector2d& observed, const Eigen::Vector2d& principal_point,
                           double scale)
    : mean_vertex_(mean_vertex),
      shape_rows_(shape_rows),
      shape_stride_(shape_stride),
      num_shape_(num_shape),
      expression_rows_(expression_rows),
      expression_stride_(expression_stride),
      num_expression_(num_expression),
      observed_(observed),
      principal_point_(principal_point),
      scale_(scale) {
  set_num_residuals(2);
  std::vector<int32_t>& sizes = *mutable_parameter_block_sizes();
  sizes = {4, 3, 1, num_shape};
  if (num_expression > 0) sizes.push_back(num_expression);
}

LandmarkCost* LandmarkCost::Create(const Eigen::Vector3d& mean_vertex,
                                   const model::LinearBasis& shape, int num_shape,
                                   const model::LinearBasis& expression, int num_expression,
                                   int vertex, const Eigen::Vector2d& observed,
                                   const Eigen::Vector2d& principal_point, double scale) {
  const double* expression_rows = num_expression > 0 ? expression.VertexRows(vertex) : nullptr;
  return new LandmarkCost(mean_vertex, shape.VertexRows(vertex), shape.num_components(), num_shape,
                          expression_rows, expression.num_components(), num_expression, observed,
                          principal_point, scale);
}

bool LandmarkCost::Evaluate(double const* const* parameters, double* residuals,
                            double** jacobians) const {
  using RowBlock = Eigen::Map<const Eigen::Matrix<double, 3, Eigen::Dynamic, Eigen::RowMajor>, 0,
                              Eigen::OuterStride<>>;
  const RowBlock shape_rows(shape_rows_, 3, num_shape_, Eigen::OuterStride<>(shape_stride_));
  const Eigen::Map<const Eigen::VectorXd> shape(parameters[3], num_shape_);
  Eigen::Vector3d vertex = mean_vertex_ + shape_rows * shape;
  const bool has_expression = num_expression_ > 0;
  if (has_expression) {
    const RowBlock expression_rows(expression_rows_, 3, num_expression_,
                                   Eigen::OuterStride<>(expression_stride_));
    vertex += expression_rows * Eigen::Map<const Eigen::VectorXd>(parameters[4], num_expression_);
  }

  // Rotation and projection on jets seeded with q, t, f and the vertex.
  Jet q[4], t[3], f, x[3];
  for (int i = 0; i < 4; ++i) q[i] = Jet(parameters[0][i], i);
  for (int i = 0; i < 3; ++i) t[i] = Jet(parameters[1][i], 4 + i);
  f = Jet(parameters[2][0], 7);
  for (int i = 0; i < 3; ++i) x[i] = Jet(vertex[i], 8 + i);
  Jet camera[3];
  ceres::UnitQuaternionRotatePoint(q, x, camera);
  for (int i = 0; i < 3; ++i) camera[i] += t[i];
  // Behind the camera the projection is meaningless: tell Ceres the step is invalid.
  if (!(camera[2].a > 1e-9)) return false;
  const Jet inverse_depth = Jet(scale_) / camera[2];
  Jet r[2];
  for (int i = 0; i < 2; ++i) {
    r[i] = f * camera[i] * inverse_depth + Jet(scale_ * (principal_point_[i] - observed_[i]));
    residuals[i] = r[i].a;
  }
  if (jacobians == nullptr) return true;

  Eigen::Matrix<double, 2, 3> d_vertex;
  for (int i = 0; i < 2; ++i) d_vertex.row(i) = r[i].v.segment<3>(8).transpose();
  if (jacobians[0] != nullptr) {
    Eigen::Map<Eigen::Matrix<double, 2, 4, Eigen::RowMajor>> jq(jacobians[0]);
    for (int i = 0; i < 2; ++i) jq.row(i) = r[i].v.segment<4>(0).transpose();
  }
  if (jacobians[1] != nullptr) {
    Eigen::Map<Eigen::Matrix<double, 2, 3, Eigen::RowMajor>> jt(jacobians[1]);
    for (int i = 0; i < 2; ++i) jt.row(i) = r[i].v.segment<3>(4).transpose();
  }
  if (jacobians[2] != nullptr) {
    for (int i = 0; i < 2; ++i) jacobians[2][i] = r[i].v[7];
  }
  using JacobianMap = Eigen::Map<Eigen::Matrix<double, 2, Eigen::Dynamic, Eigen::RowMajor>>;
  if (jacobians[3] != nullptr) {
    JacobianMap(jacobians[3], 2, num_shape_).noalias() = d_vertex * shape_rows;
  }
  if (has_expression && jacobians[4] != nullptr) {
    const RowBlock expression_rows(expression_rows_, 3, num_expression_,
                                   Eigen::OuterStride<>(expression_stride_));
    JacobianMap(jacobians[4], 2, num_expression_).noalias() = d_vertex * expression_rows;
  }
  return true;
}

CoefficientPriorCost::CoefficientPriorCost(int size, double weight)
    : sqrt_weight_(std::sqrt(weight)) {
  set_num_residuals(size);
  mutable_parameter_block_sizes()->push_back(size);
}

bool CoefficientPriorCost::Evaluate(double const* const* parameters, double* residuals,
                                    double** jacobians) const {
  const int size = num_residuals();
  for (int i = 0; i < size; ++i) residuals[i] = sqrt_weight_ * parameters[0][i];
  if (jacobians != nullptr && jacobians[0] != nullptr) {
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> jacobian(
        jacobians[0], size, size);
    jacobian.setZero();
    jacobian.diagonal().setConstant(sqrt_weight_);
  }
  return true;
}

}  // namespace morphfit::solver
