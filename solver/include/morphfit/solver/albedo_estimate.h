#pragma once

#include <array>
#include <memory>
#include <vector>

#include <Eigen/Core>

#include "morphfit/model/morphable_model.h"
#include "morphfit/solver/lighting_estimate.h"

namespace morphfit::solver {

// One surface sample as the albedo solve sees it: the albedo there is the barycentric
// combination of its triangle's vertex albedos, and the prediction is albedo * shading.
struct AlbedoObservation {
  std::array<int, 3> vertices{};
  Eigen::Vector3d barycentric;
  Eigen::Vector3d shading;  // L^T sh per channel
  Eigen::Vector3d colour;
  double weight = 1.0;
};

struct AlbedoWeights {
  double prior = 0.02;      // per vertex, towards `reference`
  double smoothness = 1.0;  // per mesh edge, on the difference of the two vertex albedos
  double symmetry = 0.5;    // per vertex, on the difference to its mirror vertex
  Eigen::Vector3d reference = Eigen::Vector3d::Constant(0.5);
};

// Per-vertex albedo for models without an albedo PCA (the public SFM is shape-only): per
// channel, minimises
//   sum_s w_s (colour_s - shading_s * sum_i b_si a_{v_si})^2
//   + smoothness * sum_{edges (u,v)} (a_u - a_v)^2 + symmetry * sum_v (a_v - a_{mirror(v)})^2
//   + prior * sum_v (a_v - reference)^2,
// a sparse SPD system over all vertices (unobserved ones follow their neighbours and mirrors),
// solved by sparse Cholesky. The pattern is analysed once at construction; every solve only
// refactorises. The global albedo/lighting scale is unobservable; `reference` fixes it.
class VertexAlbedoSolver {
 public:
  VertexAlbedoSolver(const model::MorphableModel& model, const AlbedoWeights& weights);
  ~VertexAlbedoSolver();

  // 3 x N albedo, one column per vertex. `smoothness_scale` multiplies the smoothness weight for
  // this solve (the photometric stage starts with a smoother albedo; see PhotometricOptions).
  Eigen::Matrix3Xd Solve(const std::vector<AlbedoObservation>& observations,
                         double smoothness_scale = 1.0) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// For models with an albedo PCA: coefficients (std units) minimising the same data term plus
// prior * |c|^2. Returns the coefficients; the per-vertex albedo is mean + basis * c.
Eigen::VectorXd SolveAlbedoCoefficients(const model::AlbedoModel& albedo,
                                        const std::vector<AlbedoObservation>& observations,
                                        double prior);

// Unique undirected edges (u < v) of a triangle mesh, sorted.
std::vector<std::pair<int, int>> MeshEdges(const std::vector<Eigen::Vector3i>& triangles);

}  // namespace morphfit::solver
