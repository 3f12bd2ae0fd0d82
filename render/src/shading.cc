#include "morphfit/render/shading.h"

#include <cmath>
#include <string>

#include "morphfit/model/error.h"

namespace morphfit::render {

namespace {
// The plain orthonormal real SH Y_lm at unit direction w, in ShBasis's order: projecting a
// distant light onto the basis.
Eigen::Matrix<double, kNumShCoefficients, 1> ShProjection(const Eigen::Vector3d& w) {
  Eigen::Matrix<double, kNumShCoefficients, 1> y;
  ShBasis(w.x(), w.y(), w.z(), y.data());
  // Undo the Lambertian factors A_l / pi = 1, 2/3, 1/4 of ShBasis.
  y.segment<3>(1) *= 1.5;
  y.segment<5>(4) *= 4.0;
  return y;
}
}  // namespace

ShLighting AmbientLight(const Eigen::Vector3d& intensity) {
  ShLighting lighting = ShLighting::Zero();
  double basis[kNumShCoefficients];
  ShBasis(0.0, 0.0, 1.0, basis);
  lighting.row(0) = intensity.transpose() / basis[0];
  return lighting;
}

ShLighting DirectionalLight(const Eigen::Vector3d& direction, const Eigen::Vector3d& intensity) {
  const double norm = direction.norm();
  if (!(norm > 0.0) || !std::isfinite(norm)) {
    throw Error("directional light: the direction must be a non-zero finite vector");
  }
  // A distant light of radiance I from w has SH coefficients I * Y_lm(w); its irradiance is
  // I max(0, n . w), and ShBasis already divides by pi, so scale by pi.
  return M_PI * ShProjection(direction / norm) * intensity.transpose();
}

Eigen::Vector3d ShadeLambertian(const Eigen::Vector3d& normal, const Eigen::Vector3d& albedo,
                                const ShLighting& lighting) {
  Eigen::Matrix<double, 1, kNumShCoefficients> basis;
  ShBasis(normal.x(), normal.y(), normal.z(), basis.data());
  return albedo.cwiseProduct((basis * lighting).transpose());
}

cv::Mat ShadeFrame(const Frame& frame, const std::vector<Eigen::Vector3i>& triangles,
                   const Eigen::Matrix3Xd& vertex_albedo, const ShLighting& lighting) {
  if (!frame.has_normals()) throw Error("shading: the frame was rendered without normals");
  cv::Mat image(frame.height, frame.width, CV_32FC3, cv::Scalar::all(0));
  for (int y = 0; y < frame.height; ++y) {
    auto* row = image.ptr<cv::Vec3f>(y);
    for (int x = 0; x < frame.width; ++x) {
      const int i = frame.Index(x, y);
      if (!frame.Covered(i)) continue;
      const int t = frame.triangle[i];
      if (t >= static_cast<int>(triangles.size())) {
        throw Error("shading: the frame shows triangle " + std::to_string(t) + " of a mesh with " +
                    std::to_string(triangles.size()));
      }
      const Eigen::Vector3i& tri = triangles[t];
      if (tri.maxCoeff() >= vertex_albedo.cols()) {
        throw Error("shading: " + std::to_string(vertex_albedo.cols()) +
                    " albedo columns for a mesh using vertex " + std::to_string(tri.maxCoeff()));
      }
      const Eigen::Vector3d b = frame.Barycentric(i).cast<double>();
      const Eigen::Vector3d albedo = b[0] * vertex_albedo.col(tri[0]) +
                                     b[1] * vertex_albedo.col(tri[1]) +
                                     b[2] * vertex_albedo.col(tri[2]);
      const Eigen::Vector3d rgb = ShadeLambertian(frame.Normal(i).cast<double>(), albedo, lighting);
      row[x] = cv::Vec3f(static_cast<float>(rgb[2]), static_cast<float>(rgb[1]),
                         static_cast<float>(rgb[0]));
    }
  }
  return image;
}

}  // namespace morphfit::render
