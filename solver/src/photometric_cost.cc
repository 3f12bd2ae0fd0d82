#include "morphfit/solver/photometric_cost.h"

#include <cmath>

#include <ceres/jet.h>
#include <ceres/rotation.h>

#include "sh_frame.h"

namespace morphfit::solver {

namespace {

constexpr int kLocalSize = 10;  // 3 vertices x 3 coordinates + focal
using LocalJet = ceres::Jet<double, kLocalSize>;

// The residual as a function of the three camera-space vertices and the focal length; lighting,
// albedo and barycentrics are constants here.
template <typename T>
void LocalResidual(const T vertices[9], const T& focal, const Eigen::Vector3d& barycentric,
                   const Eigen::Vector3d& albedo, const double* lighting,
                   const LevelProjection& projection, const ImageInterpolator& image,
                   double weight, T residual[3], T sh[9]) {
  T point[3];
  for (int d = 0; d < 3; ++d) {
    point[d] = barycentric[0] * vertices[d] + barycentric[1] * vertices[3 + d] +
               barycentric[2] * vertices[6 + d];
  }
  const T f = projection.level_scale * focal;
  const T u = f * point[0] / point[2] + projection.level_principal_point.x();
  const T v = f * point[1] / point[2] + projection.level_principal_point.y();
  T colour[3];
  image.Evaluate(v, u, colour);

  T e1[3], e2[3], normal[3];
  for (int d = 0; d < 3; ++d) {
    e1[d] = vertices[3 + d] - vertices[d];
    e2[d] = vertices[6 + d] - vertices[d];
  }
  ceres::CrossProduct(e1, e2, normal);
  const T norm = sqrt(ceres::DotProduct(normal, normal));
  for (T& c : normal) c /= norm;
  internal::ShBasisCameraFrame(normal, sh);
  for (int c = 0; c < 3; ++c) {
    T shading(0.0);
    for (int k = 0; k < 9; ++k) shading += lighting[9 * c + k] * sh[k];
    residual[c] = weight * (colour[c] - albedo[c] * shading);
  }
}

}  // namespace

PhotometricCost::PhotometricCost(const model::MorphableModel& model, const SurfaceSample& sample,
                                 const ImageInterpolator& image,
                                 const LevelProjection& projection, double weight)
    : model_(model),
      sample_(sample),
      image_(image),
      projection_(projection),
      weight_(weight),
      has_expression_(!model.expression.empty()) {
  set_num_residuals(kNumResiduals);
  auto& sizes = *mutable_parameter_block_sizes();
  sizes = {4, 3, 1, model.shape.num_components()};
  if (has_expression_) sizes.push_back(model.expression.num_components());
  sizes.push_back(kLightingSize);
}

bool PhotometricCost::Evaluate(double const* const* parameters, double* residuals,
                               double** jacobians) const {
  const double* rotation = parameters[0];
  const double* translation = parameters[1];
  const double focal = parameters[2][0];
  const int ks = model_.shape.num_components();
  const int ke = has_expression_ ? model_.expression.num_components() : 0;
  const Eigen::Map<const Eigen::VectorXd> shape(parameters[3], ks);
  const Eigen::Map<const Eigen::VectorXd> expression(has_expression_ ? parameters[4] : nullptr,
                                                     ke);
  const double* lighting = parameters[has_expression_ ? 5 : 4];

  // Model-space and camera-space positions of the three vertices.
  Eigen::Matrix3d model_points;
  for (int i = 0; i < 3; ++i) {
    const int v = sample_.vertices[i];
    Eigen::Vector3d p = model_.mean.segment<3>(3 * v);
    p.noalias() += Eigen::Map<const model::RowMatrixXd>(model_.shape.VertexRows(v), 3, ks) * shape;
    if (ke > 0) {
      p.noalias() +=
          Eigen::Map<const model::RowMatrixXd>(model_.expression.VertexRows(v), 3, ke) *
          expression;
    }
    model_points.col(i) = p;
  }
  double camera_points[9];
  for (int i = 0; i < 3; ++i) {
    ceres::QuaternionRotatePoint(rotation, model_points.col(i).data(), camera_points + 3 * i);
    for (int d = 0; d < 3; ++d) camera_points[3 * i + d] += translation[d];
  }

  if (jacobians == nullptr) {
    double sh[9];
    LocalResidual(camera_points, focal, sample_.barycentric, sample_.albedo, lighting,
                  projection_, image_, weight_, residuals, sh);
    return std::isfinite(residuals[0]) && std::isfinite(residuals[1]) &&
           std::isfinite(residuals[2]);
  }

  LocalJet local_points[9];
  for (int i = 0; i < 9; ++i) local_points[i] = LocalJet(camera_points[i], i);
  const LocalJet local_focal(focal, 9);
  LocalJet local_residual[3], sh[9];
  LocalResidual(local_points, local_focal, sample_.barycentric, sample_.albedo, lighting,
                projection_, image_, weight_, local_residual, sh);
  // d residual / d (camera vertex coordinates), 3 x 9, and / d focal.
  Eigen::Matrix<double, 3, 9> d_points;
  for (int c = 0; c < 3; ++c) {
    residuals[c] = local_residual[c].a;
    if (!std::isfinite(residuals[c])) return false;
    d_points.row(c) = local_residual[c].v.head<9>().transpose();
  }

  if (jacobians[0] != nullptr) {
    // Camera point = R(q) m + t; d(R(q) m)/dq through the normalising quaternion rotation.
    Eigen::Map<Eigen::Matrix<double, 3, 4, Eigen::RowMajor>> j(jacobians[0]);
    j.setZero();
    using QuaternionJet = ceres::Jet<double, 4>;
    QuaternionJet q[4];
    for (int k = 0; k < 4; ++k) q[k] = QuaternionJet(rotation[k], k);
    for (int i = 0; i < 3; ++i) {
      QuaternionJet m[3], p[3];
      for (int d = 0; d < 3; ++d) m[d] = QuaternionJet(model_points(d, i));
      ceres::QuaternionRotatePoint(q, m, p);
      Eigen::Matrix<double, 3, 4> dp_dq;
      for (int d = 0; d < 3; ++d) dp_dq.row(d) = p[d].v.transpose();
      j.noalias() += d_points.middleCols<3>(3 * i) * dp_dq;
    }
  }
  if (jacobians[1] != nullptr) {
    Eigen::Map<Eigen::Matrix<double, 3, 3, Eigen::RowMajor>> j(jacobians[1]);
    j = d_points.middleCols<3>(0) + d_points.middleCols<3>(3) + d_points.middleCols<3>(6);
  }
  if (jacobians[2] != nullptr) {
    for (int c = 0; c < 3; ++c) jacobians[2][c] = local_residual[c].v[9];
  }
  const bool need_shape = jacobians[3] != nullptr;
  const bool need_expression = ke > 0 && jacobians[4] != nullptr;
  if (need_shape || need_expression) {
    double r_data[9];
    ceres::QuaternionToRotation(rotation, r_data);
    const Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>> r(r_data);
    // d residual / d model point of vertex i = d residual / d camera point * R.
    Eigen::Matrix<double, 3, 3> d_model[3];
    for (int i = 0; i < 3; ++i) d_model[i] = d_points.middleCols<3>(3 * i) * r;
    auto chain = [&](const model::LinearBasis& basis, double* out) {
      const int k = basis.num_components();
      Eigen::Map<model::RowMatrixXd> j(out, 3, k);
      j.setZero();
      for (int i = 0; i < 3; ++i) {
        j.noalias() += d_model[i] *
                       Eigen::Map<const model::RowMatrixXd>(
                           basis.VertexRows(sample_.vertices[i]), 3, k);
      }
    };
    if (need_shape) chain(model_.shape, jacobians[3]);
    if (need_expression) chain(model_.expression, jacobians[4]);
  }
  double* d_lighting = jacobians[has_expression_ ? 5 : 4];
  if (d_lighting != nullptr) {
    Eigen::Map<Eigen::Matrix<double, 3, kLightingSize, Eigen::RowMajor>> j(d_lighting);
    j.setZero();
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < 9; ++k) j(c, 9 * c + k) = -weight_ * sample_.albedo[c] * sh[k].a;
    }
  }
  return true;
}

Eigen::Matrix<double, 9, 1> ShBasisForCameraNormal(const Eigen::Vector3d& normal) {
  Eigen::Matrix<double, 9, 1> sh;
  internal::ShBasisCameraFrame(normal.data(), sh.data());
  return sh;
}

Eigen::Vector3d ShadeSample(const Eigen::Vector3d& normal, const Eigen::Vector3d& albedo,
                            const Eigen::Matrix<double, 9, 3>& lighting) {
  const Eigen::Matrix<double, 9, 1> sh = ShBasisForCameraNormal(normal);
  return albedo.cwiseProduct(lighting.transpose() * sh);
}

}  // namespace morphfit::solver
