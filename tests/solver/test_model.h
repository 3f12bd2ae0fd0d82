#pragma once

#include <random>

#include "morphfit/model/morphable_model.h"

namespace morphfit::testing {

// A small morphable model for derivative tests: an n x n grid over a bumpy 100 mm square that
// faces the viewer (+z), triangles counter-clockwise seen from +z, random smooth-ish shape and
// expression bases of a few millimetres per unit coefficient.
inline model::MorphableModel SmallRandomModel(int n, int shape_components,
                                              int expression_components, unsigned seed) {
  model::MorphableModel m;
  m.name = "small_random";
  const int vertices = n * n;
  m.mean.resize(3 * vertices);
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      const double x = -50.0 + 100.0 * c / (n - 1);
      const double y = 50.0 - 100.0 * r / (n - 1);
      m.mean.segment<3>(3 * (r * n + c)) =
          Eigen::Vector3d(x, y, 20.0 * std::exp(-(x * x + y * y) / 2000.0));
    }
  }
  for (int r = 0; r + 1 < n; ++r) {
    for (int c = 0; c + 1 < n; ++c) {
      const int a = r * n + c, b = a + 1, d = a + n, e = d + 1;
      // y decreases with r: (a, d, b) is counter-clockwise seen from +z.
      m.triangles.emplace_back(a, d, b);
      m.triangles.emplace_back(b, d, e);
    }
  }
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  auto random_basis = [&](int k, bool pca) {
    model::LinearBasis basis;
    basis.is_pca = pca;
    basis.scaled_basis.resize(3 * vertices, k);
    for (int j = 0; j < k; ++j) {
      const double fx = 0.02 * normal(rng), fy = 0.02 * normal(rng), phase = normal(rng);
      for (int v = 0; v < vertices; ++v) {
        const Eigen::Vector3d p = m.mean.segment<3>(3 * v);
        for (int d = 0; d < 3; ++d) {
          basis.scaled_basis(3 * v + d, j) =
              (d == 2 ? 3.0 : 1.0) * std::sin(fx * p.x() + fy * p.y() + phase + d);
        }
      }
    }
    basis.stddev = Eigen::VectorXd::Ones(k);
    return basis;
  };
  m.shape = random_basis(shape_components, true);
  if (expression_components > 0) m.expression = random_basis(expression_components, false);
  m.Validate();
  return m;
}

}  // namespace morphfit::testing
