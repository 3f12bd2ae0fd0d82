#pragma once

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include "morphfit/render/frame.h"

namespace morphfit::render {

inline constexpr int kNumShCoefficients = 9;

// Second-order (l <= 2) real spherical-harmonics basis convolved with the Lambertian kernel and
// divided by pi, at unit normal n, so that the radiance of a Lambertian surface of albedo rho
// under distant lighting with SH coefficients L is rho * sum_k L_k * basis_k(n).
//
//   basis_k(n) = (A_l / pi) * Y_lm(n),   A_0 = pi, A_1 = 2 pi / 3, A_2 = pi / 4
//   (Ramamoorthi & Hanrahan 2001), with the orthonormal real SH
//   Y_00 = 0.282095                      (1 / (2 sqrt(pi)))
//   Y_1-1, Y_10, Y_11 = 0.488603 y, z, x  (sqrt(3 / (4 pi)))
//   Y_2-2, Y_2-1, Y_21 = 1.092548 xy, yz, xz  (sqrt(15 / (4 pi)))
//   Y_20 = 0.315392 (3 z^2 - 1)           (sqrt(5 / (16 pi)))
//   Y_22 = 0.546274 (x^2 - y^2)           (sqrt(15 / (16 pi)))
// in the order (l, m) = (0,0), (1,-1), (1,0), (1,1), (2,-2), (2,-1), (2,0), (2,1), (2,2).
// The coefficients live in the frame of the normals (camera space in this project).
// Templated so that Ceres cost functors can evaluate it on Jets.
template <typename T>
void ShBasis(const T& x, const T& y, const T& z, T basis[kNumShCoefficients]) {
  constexpr double k0 = 0.28209479177387814;          // 1 / (2 sqrt(pi))
  constexpr double k1 = 0.48860251190291992 * 2 / 3;  // sqrt(3 / (4 pi)) * 2/3
  constexpr double k2 = 1.0925484305920792 / 4;       // sqrt(15 / (4 pi)) / 4
  constexpr double k20 = 0.31539156525252005 / 4;     // sqrt(5 / (16 pi)) / 4
  constexpr double k22 = 0.54627421529603959 / 4;     // sqrt(15 / (16 pi)) / 4
  basis[0] = T(k0);
  basis[1] = k1 * y;
  basis[2] = k1 * z;
  basis[3] = k1 * x;
  basis[4] = k2 * x * y;
  basis[5] = k2 * y * z;
  basis[6] = k20 * (3.0 * z * z - 1.0);
  basis[7] = k2 * x * z;
  basis[8] = k22 * (x * x - y * y);
}

// Lighting: 9 SH coefficients (rows) per colour channel (columns r, g, b).
using ShLighting = Eigen::Matrix<double, kNumShCoefficients, 3>;

// Uniform light: a Lambertian surface of albedo rho appears rho * intensity (per channel).
ShLighting AmbientLight(const Eigen::Vector3d& intensity);
// A distant light from unit `direction` (pointing from the surface towards the light), with
// radiance giving rho * intensity * max(0, n . direction) up to the second-order approximation.
ShLighting DirectionalLight(const Eigen::Vector3d& direction, const Eigen::Vector3d& intensity);

// Radiance of unit normal n with albedo rho (r, g, b).
Eigen::Vector3d ShadeLambertian(const Eigen::Vector3d& normal, const Eigen::Vector3d& albedo,
                                const ShLighting& lighting);

// Shades every covered pixel of `frame` (needs normals): the albedo is interpolated from the
// per-vertex albedo (3 x N, r g b in [0, 1], indexed like the mesh rendered) with the frame's
// barycentrics. Returns CV_32FC3 in OpenCV's BGR channel order, black background, not clamped.
cv::Mat ShadeFrame(const Frame& frame, const std::vector<Eigen::Vector3i>& triangles,
                   const Eigen::Matrix3Xd& vertex_albedo, const ShLighting& lighting);

}  // namespace morphfit::render
