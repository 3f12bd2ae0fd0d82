#include "morphfit/solver/albedo_estimate.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

#include "morphfit/model/error.h"

namespace morphfit::solver {

std::vector<std::pair<int, int>> MeshEdges(const std::vector<Eigen::Vector3i>& triangles) {
  std::vector<std::pair<int, int>> edges;
  edges.reserve(3 * triangles.size());
  for (const Eigen::Vector3i& t : triangles) {
    for (int i = 0; i < 3; ++i) {
      const int a = t[i], b = t[(i + 1) % 3];
      edges.emplace_back(std::min(a, b), std::max(a, b));
    }
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  return edges;
}

struct VertexAlbedoSolver::Impl {
  int num_vertices = 0;
  AlbedoWeights weights;
  // Lower and upper parts, both with the full pattern of the system (smoothness + the rest), so
  // that any weighted sum keeps the pattern the Cholesky factorisation analysed.
  Eigen::SparseMatrix<double> smoothness;
  Eigen::SparseMatrix<double> rest;  // symmetry and prior
  mutable Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> cholesky;
};

VertexAlbedoSolver::VertexAlbedoSolver(const model::MorphableModel& model,
                                       const AlbedoWeights& weights)
    : impl_(std::make_unique<Impl>()) {
  const int n = model.num_vertices();
  impl_->num_vertices = n;
  impl_->weights = weights;
  // Two triplet lists over one pattern: each term adds explicit zeros to the other list.
  std::vector<Eigen::Triplet<double>> smooth_triplets, rest_triplets;
  auto add_difference = [&](int a, int b, double w, std::vector<Eigen::Triplet<double>>& to,
                            std::vector<Eigen::Triplet<double>>& other) {  // w * (x_a - x_b)^2
    for (const auto& [i, j, value] :
         {std::tuple{a, a, w}, std::tuple{b, b, w}, std::tuple{a, b, -w}, std::tuple{b, a, -w}}) {
      to.emplace_back(i, j, value);
      other.emplace_back(i, j, 0.0);
    }
  };
  // Every triangle's vertex pairs are edges, so the data term never adds to this pattern.
  for (const auto& [a, b] : MeshEdges(model.triangles)) {
    add_difference(a, b, weights.smoothness, smooth_triplets, rest_triplets);
  }
  if (static_cast<int>(model.symmetry.size()) == n) {
    for (int v = 0; v < n; ++v) {
      const int mirror = model.symmetry[v];
      // Each pair once (v < mirror); self-symmetric vertices on the midline add nothing.
      if (mirror > v && mirror < n) {
        add_difference(v, mirror, weights.symmetry, rest_triplets, smooth_triplets);
      }
    }
  }
  for (int v = 0; v < n; ++v) {
    rest_triplets.emplace_back(v, v, weights.prior);
    smooth_triplets.emplace_back(v, v, 0.0);
  }
  for (auto [matrix, triplets] :
       {std::pair{&impl_->smoothness, &smooth_triplets}, std::pair{&impl_->rest, &rest_triplets}}) {
    matrix->resize(n, n);
    matrix->setFromTriplets(triplets->begin(), triplets->end());
    matrix->makeCompressed();
  }
  impl_->cholesky.analyzePattern(impl_->rest);
}

VertexAlbedoSolver::~VertexAlbedoSolver() = default;

Eigen::Matrix3Xd VertexAlbedoSolver::Solve(const std::vector<AlbedoObservation>& observations,
                                           double smoothness_scale) const {
  if (!(smoothness_scale > 0)) throw Error("albedo estimate: smoothness scale must be > 0");
  const int n = impl_->num_vertices;
  Eigen::Matrix3Xd albedo(3, n);
  // Same pattern in both, so the sum is a plain sum of the value arrays.
  Eigen::SparseMatrix<double> regulariser = impl_->rest;
  Eigen::Map<Eigen::VectorXd>(regulariser.valuePtr(), regulariser.nonZeros()) +=
      smoothness_scale *
      Eigen::Map<const Eigen::VectorXd>(impl_->smoothness.valuePtr(), impl_->smoothness.nonZeros());
  for (int c = 0; c < 3; ++c) {
    Eigen::SparseMatrix<double> system = regulariser;
    Eigen::VectorXd rhs =
        Eigen::VectorXd::Constant(n, impl_->weights.prior * impl_->weights.reference[c]);
    for (const AlbedoObservation& o : observations) {
      const double h = o.shading[c];
      for (int i = 0; i < 3; ++i) {
        const int vi = o.vertices[i];
        if (vi < 0 || vi >= n) throw Error("albedo estimate: vertex index out of range");
        rhs[vi] += o.weight * h * o.colour[c] * o.barycentric[i];
        for (int j = 0; j < 3; ++j) {
          system.coeffRef(vi, o.vertices[j]) +=
              o.weight * h * h * o.barycentric[i] * o.barycentric[j];
        }
      }
    }
    impl_->cholesky.factorize(system);
    if (impl_->cholesky.info() != Eigen::Success) {
      throw Error("albedo estimate: the regularised system is not positive definite");
    }
    albedo.row(c) = impl_->cholesky.solve(rhs).transpose();
  }
  return albedo;
}

Eigen::VectorXd SolveAlbedoCoefficients(const model::AlbedoModel& albedo,
                                        const std::vector<AlbedoObservation>& observations,
                                        double prior) {
  const int k = albedo.basis.num_components();
  Eigen::MatrixXd normal = Eigen::MatrixXd::Zero(k, k);
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(k);
  Eigen::MatrixXd rows(3, k);
  for (const AlbedoObservation& o : observations) {
    rows.setZero();
    Eigen::Vector3d mean = Eigen::Vector3d::Zero();
    for (int i = 0; i < 3; ++i) {
      const int v = o.vertices[i];
      rows +=
          o.barycentric[i] * Eigen::Map<const model::RowMatrixXd>(albedo.basis.VertexRows(v), 3, k);
      mean += o.barycentric[i] * albedo.mean.segment<3>(3 * v);
    }
    for (int c = 0; c < 3; ++c) {
      const Eigen::VectorXd row = o.shading[c] * rows.row(c).transpose();
      normal.selfadjointView<Eigen::Lower>().rankUpdate(row, o.weight);
      rhs += o.weight * (o.colour[c] - o.shading[c] * mean[c]) * row;
    }
  }
  normal.diagonal().array() += std::max(prior, 1e-9);
  return normal.selfadjointView<Eigen::Lower>().ldlt().solve(rhs);
}

}  // namespace morphfit::solver
