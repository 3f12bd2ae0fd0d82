#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include <Eigen/Eigenvalues>
#include <opencv2/core.hpp>

#include "morphfit/model/morphable_model.h"

namespace morphfit::bench {

// The albedo PCA that the synthetic scenes' smooth albedo is drawn from, for measuring the
// photometric stage as it works with a model that carries an albedo prior (issue 5, item 3; the
// public SFM has none). The generator (synth/synthetic_scene.cc, SmoothAlbedo) draws
//   albedo(v) = skin * (1 + variation * pattern(v)),
//   pattern(v) = 1/3 sum_k sin(w_k . p_v + phi_k),
// w_k uniform in direction with |w_k| = 2 pi / lambda, lambda uniform in [20, 60] mm, phi_k
// uniform, p_v the mean shape's vertex. pattern has mean 0 and covariance
//   C(v, u) = 1/6 E_lambda[sinc(2 pi |p_v - p_u| / lambda)]
// (the phase averages sin * sin to cos / 2, the direction cos to sinc), and the albedo the
// Gaussian covariance Sigma_skin (x) 1 + E[skin skin^T] (x) variation^2 C. The basis below is that
// Gaussian: three skin-colour components, constant over the face, plus, for each of the
// `pattern_components` leading eigenvectors g_i of C, the leading colour eigenvector e of
// E[skin skin^T] times g_i (e carries 98% of its trace: the pattern is nearly a brightness change).
// The clamp of albedo to [0, 1] is left out (the generator's skin stays under 0.85 * 1.15). Exact
// second moments of the scene distribution: an oracle, as the SFM shape PCA is for the scenes'
// shapes.
inline model::AlbedoModel OracleAlbedoModel(const model::MorphableModel& model, double variation,
                                            int pattern_components) {
  const int n = model.num_vertices();
  // Skin colour moments by Monte Carlo over the generator's own draw (SkinColour).
  cv::RNG rng(12345);
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  Eigen::Matrix3d second = Eigen::Matrix3d::Zero();
  constexpr int kDraws = 200000;
  for (int i = 0; i < kDraws; ++i) {
    const double red = rng.uniform(0.55, 0.85);
    const double green = red * rng.uniform(0.7, 0.85);
    const double blue = green * rng.uniform(0.75, 0.95);
    const Eigen::Vector3d s(red, green, blue);
    mean += s / kDraws;
    second += s * s.transpose() / kDraws;
  }
  const Eigen::Matrix3d skin_covariance = second - mean * mean.transpose();

  // The leading eigenpairs of the unit kernel C (it depends only on the mean shape; 20-60 s to
  // make), descending, cached in /tmp (16 MB for the SFM).
  const int cached = std::min(n, 600);
  const std::string cache = "/tmp/morphfit_oracle_albedo_kernel_" + std::to_string(n) + "_" +
                            std::to_string(cached) + ".bin";
  Eigen::VectorXd kernel_values(cached);
  Eigen::MatrixXd kernel_vectors(n, cached);
  std::ifstream in(cache, std::ios::binary);
  if (in.read(reinterpret_cast<char*>(kernel_values.data()), cached * sizeof(double)) &&
      in.read(reinterpret_cast<char*>(kernel_vectors.data()),
              static_cast<std::streamsize>(n) * cached * sizeof(double))) {
    std::printf("oracle albedo: kernel eigenvectors from %s\n", cache.c_str());
  } else {
    Eigen::MatrixXd kernel(n, n);
    constexpr int kLambdas = 64;
    for (int v = 0; v < n; ++v) {
      const Eigen::Vector3d p = model.mean.segment<3>(3 * v);
      for (int u = v; u < n; ++u) {
        const double d = (model.mean.segment<3>(3 * u) - p).norm();
        double sum = 0;
        for (int l = 0; l < kLambdas; ++l) {
          const double lambda = 20.0 + 40.0 * (l + 0.5) / kLambdas;
          const double x = 2 * M_PI * d / lambda;
          sum += x < 1e-9 ? 1.0 : std::sin(x) / x;
        }
        kernel(v, u) = kernel(u, v) = sum / kLambdas / 6.0;
      }
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(kernel);
    // Eigen returns them ascending.
    kernel_values = solver.eigenvalues().tail(cached).reverse();
    kernel_vectors = solver.eigenvectors().rightCols(cached).rowwise().reverse();
    std::ofstream out(cache, std::ios::binary);
    out.write(reinterpret_cast<const char*>(kernel_values.data()), cached * sizeof(double));
    out.write(reinterpret_cast<const char*>(kernel_vectors.data()),
              static_cast<std::streamsize>(n) * cached * sizeof(double));
  }
  // The kernel's trace is its total variance (1/6 per vertex).
  const double total = n / 6.0;
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> colour(second);
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> skin(skin_covariance);

  const int k = std::min(pattern_components, cached);
  model::AlbedoModel albedo;
  albedo.mean.resize(3 * n);
  for (int v = 0; v < n; ++v) albedo.mean.segment<3>(3 * v) = mean;
  albedo.basis.scaled_basis.setZero(3 * n, 3 + k);
  albedo.basis.stddev.resize(3 + k);
  for (int r = 0; r < 3; ++r) {
    const double sd = std::sqrt(std::max(0.0, skin.eigenvalues()(r)));
    for (int v = 0; v < n; ++v)
      albedo.basis.scaled_basis.block<3, 1>(3 * v, r) = sd * skin.eigenvectors().col(r);
    albedo.basis.stddev(r) = sd;
  }
  double kept = 0;
  for (int i = 0; i < k; ++i) {
    const int column = i;
    kept += kernel_values(column);
    const double sd =
        variation * std::sqrt(std::max(0.0, kernel_values(column) * colour.eigenvalues()(2)));
    for (int v = 0; v < n; ++v) {
      albedo.basis.scaled_basis.block<3, 1>(3 * v, 3 + i) =
          sd * kernel_vectors(v, column) * colour.eigenvectors().col(2);
    }
    albedo.basis.stddev(3 + i) = sd;
  }
  std::printf(
      "oracle albedo: %d pattern components keep %.2f%% of its variance, colour %.2f%%; skin mean "
      "%.3f %.3f %.3f\n",
      k, 100.0 * kept / total, 100.0 * colour.eigenvalues()(2) / colour.eigenvalues().sum(),
      mean(0), mean(1), mean(2));
  return albedo;
}

}  // namespace morphfit::bench
