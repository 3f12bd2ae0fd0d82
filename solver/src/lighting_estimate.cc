#include "morphfit/solver/lighting_estimate.h"

#include <Eigen/Cholesky>

#include "morphfit/model/error.h"

namespace morphfit::solver {

ShLighting SolveLighting(const std::vector<ShadingObservation>& observations,
                         const std::vector<Eigen::Vector3d>& albedo, double prior_weight) {
  if (observations.size() != albedo.size()) {
    throw Error("lighting estimate: albedo and observations differ in count");
  }
  ShLighting lighting = ShLighting::Zero();
  for (int c = 0; c < 3; ++c) {
    Eigen::Matrix<double, 9, 9> normal = Eigen::Matrix<double, 9, 9>::Zero();
    ShVector rhs = ShVector::Zero();
    for (size_t s = 0; s < observations.size(); ++s) {
      const ShadingObservation& o = observations[s];
      const ShVector row = albedo[s][c] * o.sh;
      normal.selfadjointView<Eigen::Lower>().rankUpdate(row, o.weight);
      rhs += o.weight * o.colour[c] * row;
    }
    // A small floor keeps the system solvable when all normals are alike (few samples).
    const double ridge = std::max(prior_weight, 1e-9 * (normal.trace() + 1.0));
    for (int k = 1; k < 9; ++k) normal(k, k) += ridge;
    normal(0, 0) += 1e-12 * (normal.trace() + 1.0);
    lighting.col(c) = normal.selfadjointView<Eigen::Lower>().ldlt().solve(rhs);
  }
  return lighting;
}

}  // namespace morphfit::solver
