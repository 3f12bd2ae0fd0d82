#pragma once

#include <array>

#include <ceres/cost_function.h>
#include <ceres/cubic_interpolation.h>
#include <Eigen/Core>

#include "morphfit/model/morphable_model.h"

namespace morphfit::solver {

using ImageGrid = ceres::Grid2D<float, 3>;
using ImageInterpolator = ceres::BiCubicInterpolator<ImageGrid>;

// A visible surface point: barycentric coordinates in one triangle, chosen from a render and held
// fixed for one outer iteration, with the albedo there (held fixed during the nonlinear solve;
// it is re-estimated in closed form between solves).
struct PhotoSample {
  std::array<int, 3> vertices{};
  Eigen::Vector3d barycentric = Eigen::Vector3d::Constant(1.0 / 3.0);
  Eigen::Vector3d albedo = Eigen::Vector3d::Constant(0.5);  // RGB
  // Camera-space correction added to the triangle's face normal before normalising, held fixed
  // for one outer iteration: the interpolated vertex normal minus the face normal where the
  // sample was taken. The shading then matches the smooth-shaded render, while its derivatives
  // still come from the three vertices of the triangle.
  Eigen::Vector3d normal_offset = Eigen::Vector3d::Zero();
};

// How the camera of the full image maps to the pyramid level the image grid belongs to:
// pixel_level = level_scale * focal * X.xy / X.z + level_principal_point, with `focal` the
// full-image focal length being optimised.
struct LevelProjection {
  double level_scale = 1.0;
  Eigen::Vector2d level_principal_point = Eigen::Vector2d::Zero();
};

// Residual (RGB, 3 values) of one surface sample:
//   weight * (I(project(X)) - albedo * sh_shading(n, L))
// where X is the barycentric combination of the sample's three camera-space vertices, n the
// unit normal of that triangle plus the sample's fixed normal offset (from the same three
// vertices, so one residual reads only the basis rows of three vertices), I the bicubic image at
// the level, and L the 9 x 3 SH lighting.
//
// Parameter blocks: rotation (quaternion w, x, y, z; use ceres::QuaternionManifold),
// translation (3, mm), focal (1, full-image pixels), shape coefficients (K_s), expression
// coefficients (K_e; omitted when the model has none), lighting (27, column-major 9 x 3 as
// FitResult::lighting).
//
// Jacobians are analytic in the model coefficients and the pose (the chain rule through the
// three vertices: O(K) per residual); the small inner function of the nine vertex coordinates
// and the focal length is differentiated with ceres::Jet.
class PhotometricCost : public ceres::CostFunction {
 public:
  PhotometricCost(const model::MorphableModel& model, const PhotoSample& sample,
                  const ImageInterpolator& image, const LevelProjection& projection, double weight);

  bool Evaluate(double const* const* parameters, double* residuals,
                double** jacobians) const override;

  static constexpr int kNumResiduals = 3;
  static constexpr int kLightingSize = 27;

 private:
  const model::MorphableModel& model_;
  PhotoSample sample_;
  const ImageInterpolator& image_;
  LevelProjection projection_;
  double weight_;
  bool has_expression_;
};

// The 9 SH basis values (render::ShBasis) of a unit camera-space normal.
Eigen::Matrix<double, 9, 1> ShBasisForCameraNormal(const Eigen::Vector3d& normal);

}  // namespace morphfit::solver
