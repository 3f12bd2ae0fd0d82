#include "morphfit/solver/shading_residuals.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>

#include "morphfit/model/error.h"
#include "morphfit/render/shading.h"

namespace morphfit::solver {

void ShadingResidualOptions::Validate() const {
  if (target_samples < 20) throw Error("shading residuals: target_samples must be >= 20");
  if (!(inlier_threshold > 0)) throw Error("shading residuals: inlier_threshold must be > 0");
  if (reweighting_iterations < 0) throw Error("shading residuals: reweighting_iterations < 0");
  if (!(huber_scale > 0)) throw Error("shading residuals: huber_scale must be > 0");
}

ShadingResiduals ComputeShadingResiduals(const cv::Mat& image, const render::Frame& frame,
                                         const ShadingResidualOptions& options) {
  options.Validate();
  if (image.cols != frame.width || image.rows != frame.height) {
    throw Error("shading residuals: image and rendered frame differ in size");
  }
  if (image.type() != CV_8UC3 && image.type() != CV_8UC1) {
    throw Error("shading residuals: expected an 8-bit grey or BGR image");
  }
  if (!frame.has_normals()) throw Error("shading residuals: the frame has no normals");
  constexpr int kMinSamples = 20;
  const int covered = frame.CountCovered();
  ShadingResiduals out;
  if (covered < kMinSamples) return out;
  const int stride =
      std::max(1, static_cast<int>(std::sqrt(covered / double(options.target_samples))));

  std::vector<Eigen::Matrix<double, 9, 1>> basis;
  std::vector<Eigen::Vector3d> colours;
  for (int y = 0; y < frame.height; y += stride) {
    for (int x = 0; x < frame.width; x += stride) {
      const int i = frame.Index(x, y);
      if (!frame.Covered(i)) continue;
      const Eigen::Vector3d n = frame.Normal(i).cast<double>();
      double b[9];
      render::ShBasis(n.x(), n.y(), n.z(), b);
      basis.emplace_back(Eigen::Map<const Eigen::Matrix<double, 9, 1>>(b));
      if (image.channels() == 3) {
        const cv::Vec3b bgr = image.at<cv::Vec3b>(y, x);
        colours.emplace_back(bgr[2] / 255.0, bgr[1] / 255.0, bgr[0] / 255.0);
      } else {
        colours.emplace_back(Eigen::Vector3d::Constant(image.at<uint8_t>(y, x) / 255.0));
      }
    }
  }
  const int count = static_cast<int>(basis.size());
  if (count < kMinSamples) return out;

  // Lighting times constant albedo, per channel: colour_c ~ basis . L_c. Weighted least squares
  // with a small ridge (grazing-only samples leave some SH directions unobserved).
  std::vector<double> weight(count, 1.0);
  Eigen::Matrix<double, 9, 3> lighting;
  auto solve = [&]() {
    Eigen::Matrix<double, 9, 9> normal = 1e-6 * Eigen::Matrix<double, 9, 9>::Identity();
    Eigen::Matrix<double, 9, 3> rhs = Eigen::Matrix<double, 9, 3>::Zero();
    for (int s = 0; s < count; ++s) {
      normal.noalias() += weight[s] * basis[s] * basis[s].transpose();
      rhs.noalias() += weight[s] * basis[s] * colours[s].transpose();
    }
    lighting = normal.ldlt().solve(rhs);
  };
  solve();
  for (int pass = 0; pass < options.reweighting_iterations; ++pass) {
    for (int s = 0; s < count; ++s) {
      const double r = (lighting.transpose() * basis[s] - colours[s]).norm() / std::sqrt(3.0);
      weight[s] = r <= options.huber_scale ? 1.0 : options.huber_scale / r;
    }
    solve();
  }
  out.residuals.reserve(3 * count);
  out.inliers.reserve(3 * count);
  for (int s = 0; s < count; ++s) {
    const Eigen::Vector3d r = lighting.transpose() * basis[s] - colours[s];
    for (int c = 0; c < 3; ++c) {
      out.residuals.push_back(r[c]);
      out.inliers.push_back(std::abs(r[c]) <= options.inlier_threshold ? 1 : 0);
    }
  }
  return out;
}

}  // namespace morphfit::solver
