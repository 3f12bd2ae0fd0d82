#include "morphfit/solver/photometric_cost.h"

#include <cmath>

#include <ceres/jet.h>
#include <ceres/rotation.h>

#include "morphfit/render/shading.h"
#include "vertex_chain.h"

namespace morphfit::solver {

namespace {

constexpr int kLocalSize = 10;  // 3 vertices x 3 coordinates + focal
using LocalJet = ceres::Jet<double, kLocalSize>;

// The residual as a function of the three camera-space vertices and the focal length; lighting,
// albedo and barycentrics are constants here.
template <typename T>
void LocalResidual(const T vertices[9], const T& focal, const PhotoSample& sample,
                   const double* lighting, const LevelProjection& projection,
                   const ImageInterpolator& image, double weight, T residual[3], T sh[9]) {
  T point[3];
  for (int d = 0; d < 3; ++d) {
    point[d] = sample.barycentric[0] * vertices[d] + sample.barycentric[1] * vertices[3 + d] +
               sample.barycentric[2] * vertices[6 + d];
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
  const T face_norm = sqrt(ceres::DotProduct(normal, normal));
  for (int d = 0; d < 3; ++d) normal[d] = normal[d] / face_norm + sample.normal_offset[d];
  const T norm = sqrt(ceres::DotProduct(normal, normal));
  for (T& c : normal) c /= norm;
  render::ShBasis(normal[0], normal[1], normal[2], sh);
  for (int c = 0; c < 3; ++c) {
    T shading(0.0);
    for (int k = 0; k < 9; ++k) shading += lighting[9 * c + k] * sh[k];
    residual[c] = weight * (colour[c] - sample.albedo[c] * shading);
  }
}

}  // namespace

PhotometricCost::PhotometricCost(const model::MorphableModel& model, const PhotoSample& sample,
                                 const ImageInterpolator& image, const LevelProjection& projection,
                                 double weight)
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
  const double* lighting = parameters[has_expression_ ? 5 : 4];

  // Model-space and camera-space positions of the three vertices.
  std::array<Eigen::Vector3d, 3> model_points;
  for (int i = 0; i < 3; ++i) {
    model_points[i] = internal::ModelVertex(model_, sample_.vertices[i], parameters[3],
                                            has_expression_ ? parameters[4] : nullptr);
  }
  double camera_points[9];
  for (int i = 0; i < 3; ++i) {
    ceres::QuaternionRotatePoint(rotation, model_points[i].data(), camera_points + 3 * i);
    for (int d = 0; d < 3; ++d) camera_points[3 * i + d] += translation[d];
  }

  if (jacobians == nullptr) {
    double sh[9];
    LocalResidual(camera_points, focal, sample_, lighting, projection_, image_, weight_, residuals,
                  sh);
    return std::isfinite(residuals[0]) && std::isfinite(residuals[1]) &&
           std::isfinite(residuals[2]);
  }

  LocalJet local_points[9];
  for (int i = 0; i < 9; ++i) local_points[i] = LocalJet(camera_points[i], i);
  const LocalJet local_focal(focal, 9);
  LocalJet local_residual[3], sh[9];
  LocalResidual(local_points, local_focal, sample_, lighting, projection_, image_, weight_,
                local_residual, sh);
  // d residual / d (camera vertex coordinates), 3 x 9, and / d focal.
  Eigen::Matrix<double, 3, 9> d_points;
  for (int c = 0; c < 3; ++c) {
    residuals[c] = local_residual[c].a;
    if (!std::isfinite(residuals[c])) return false;
    d_points.row(c) = local_residual[c].v.head<9>().transpose();
  }

  std::array<Eigen::Matrix<double, 3, 3>, 3> d_camera;
  for (int i = 0; i < 3; ++i) d_camera[i] = d_points.middleCols<3>(3 * i);
  internal::ChainToParameters<3, 3>(model_, sample_.vertices, model_points, d_camera, rotation,
                                    jacobians);
  if (jacobians[2] != nullptr) {
    for (int c = 0; c < 3; ++c) jacobians[2][c] = local_residual[c].v[9];
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
  render::ShBasis(normal.x(), normal.y(), normal.z(), sh.data());
  return sh;
}

}  // namespace morphfit::solver
