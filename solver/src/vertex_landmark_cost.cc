#include "morphfit/solver/vertex_landmark_cost.h"

#include <array>
#include <cmath>

#include "vertex_chain.h"

namespace morphfit::solver {

VertexLandmarkCost::VertexLandmarkCost(const model::MorphableModel& model, int vertex,
                                       const Eigen::Vector2d& observed,
                                       const Eigen::Vector2d& principal_point, double weight)
    : model_(model),
      vertex_(vertex),
      observed_(observed),
      principal_point_(principal_point),
      weight_(weight) {
  set_num_residuals(2);
  auto& sizes = *mutable_parameter_block_sizes();
  sizes = {4, 3, 1, model.shape.num_components()};
  if (!model.expression.empty()) sizes.push_back(model.expression.num_components());
}

bool VertexLandmarkCost::Evaluate(double const* const* parameters, double* residuals,
                                  double** jacobians) const {
  const double* rotation = parameters[0];
  const double* translation = parameters[1];
  const double focal = parameters[2][0];
  const std::array<Eigen::Vector3d, 1> model_point = {internal::ModelVertex(
      model_, vertex_, parameters[3], model_.expression.empty() ? nullptr : parameters[4])};
  Eigen::Vector3d p;
  ceres::QuaternionRotatePoint(rotation, model_point[0].data(), p.data());
  p += Eigen::Map<const Eigen::Vector3d>(translation);
  if (!(p.z() > 0)) return false;
  const double inv_z = 1.0 / p.z();
  const Eigen::Vector2d projected = focal * p.head<2>() * inv_z + principal_point_;
  const Eigen::Vector2d residual = weight_ * (projected - observed_);
  residuals[0] = residual.x();
  residuals[1] = residual.y();
  if (jacobians == nullptr) return std::isfinite(residuals[0]) && std::isfinite(residuals[1]);

  std::array<Eigen::Matrix<double, 2, 3>, 1> d_camera;
  d_camera[0] << focal * inv_z, 0, -focal * p.x() * inv_z * inv_z, 0, focal * inv_z,
      -focal * p.y() * inv_z * inv_z;
  d_camera[0] *= weight_;
  internal::ChainToParameters<2, 1>(model_, {vertex_}, model_point, d_camera, rotation, jacobians);
  if (jacobians[2] != nullptr) {
    jacobians[2][0] = weight_ * p.x() * inv_z;
    jacobians[2][1] = weight_ * p.y() * inv_z;
  }
  return true;
}

}  // namespace morphfit::solver
