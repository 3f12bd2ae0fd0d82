#pragma once

// The chain rule from camera-space vertex positions to the fit parameters, shared by the
// analytic cost functions: a residual that depends on a few vertices only pays O(K) per vertex.

#include <array>

#include <ceres/jet.h>
#include <ceres/rotation.h>
#include <Eigen/Core>

#include "morphfit/model/morphable_model.h"

namespace morphfit::solver::internal {

// Model-space position of vertex v for the given coefficients (O(K)).
inline Eigen::Vector3d ModelVertex(const model::MorphableModel& model, int v, const double* shape,
                                   const double* expression) {
  Eigen::Vector3d p = model.mean.segment<3>(3 * v);
  const int ks = model.shape.num_components();
  p.noalias() += Eigen::Map<const model::RowMatrixXd>(model.shape.VertexRows(v), 3, ks) *
                 Eigen::Map<const Eigen::VectorXd>(shape, ks);
  const int ke = model.expression.num_components();
  if (ke > 0) {
    p.noalias() += Eigen::Map<const model::RowMatrixXd>(model.expression.VertexRows(v), 3, ke) *
                   Eigen::Map<const Eigen::VectorXd>(expression, ke);
  }
  return p;
}

// Given d residual / d camera point of each of `N` vertices (kRows x 3 each), fills the Jacobians
// of the parameter blocks rotation (quaternion w x y z, 4), translation (3), shape (K_s) and
// expression (K_e) at jacobians[0], [1], [3], [4] (row-major; null entries are skipped; [2],
// the focal, is left to the caller). `model_points` are the vertices' model-space positions.
template <int kRows, int N>
void ChainToParameters(const model::MorphableModel& model, const std::array<int, N>& vertices,
                       const std::array<Eigen::Vector3d, N>& model_points,
                       const std::array<Eigen::Matrix<double, kRows, 3>, N>& d_camera,
                       const double* rotation, double** jacobians) {
  if (jacobians[0] != nullptr) {
    // Camera point = R(q) m + t, with the normalising rotation so that the Jacobian is exact in
    // the ambient quaternion coordinates (the manifold projects it).
    Eigen::Map<Eigen::Matrix<double, kRows, 4, Eigen::RowMajor>> j(jacobians[0]);
    j.setZero();
    using QuaternionJet = ceres::Jet<double, 4>;
    QuaternionJet q[4];
    for (int k = 0; k < 4; ++k) q[k] = QuaternionJet(rotation[k], k);
    for (int i = 0; i < N; ++i) {
      QuaternionJet m[3], p[3];
      for (int d = 0; d < 3; ++d) m[d] = QuaternionJet(model_points[i][d]);
      ceres::QuaternionRotatePoint(q, m, p);
      Eigen::Matrix<double, 3, 4> dp_dq;
      for (int d = 0; d < 3; ++d) dp_dq.row(d) = p[d].v.transpose();
      j.noalias() += d_camera[i] * dp_dq;
    }
  }
  if (jacobians[1] != nullptr) {
    Eigen::Map<Eigen::Matrix<double, kRows, 3, Eigen::RowMajor>> j(jacobians[1]);
    j.setZero();
    for (int i = 0; i < N; ++i) j += d_camera[i];
  }
  const int ke = model.expression.num_components();
  const bool need_shape = jacobians[3] != nullptr;
  const bool need_expression = ke > 0 && jacobians[4] != nullptr;
  if (!need_shape && !need_expression) return;
  double r_data[9];
  ceres::QuaternionToRotation(rotation, r_data);
  const Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>> r(r_data);
  std::array<Eigen::Matrix<double, kRows, 3>, N> d_model;  // d residual / d model point
  for (int i = 0; i < N; ++i) d_model[i] = d_camera[i] * r;
  auto chain = [&](const model::LinearBasis& basis, double* out) {
    const int k = basis.num_components();
    Eigen::Map<model::RowMatrixXd> j(out, kRows, k);
    j.setZero();
    for (int i = 0; i < N; ++i) {
      j.noalias() +=
          d_model[i] * Eigen::Map<const model::RowMatrixXd>(basis.VertexRows(vertices[i]), 3, k);
    }
  };
  if (need_shape) chain(model.shape, jacobians[3]);
  if (need_expression) chain(model.expression, jacobians[4]);
}

}  // namespace morphfit::solver::internal
