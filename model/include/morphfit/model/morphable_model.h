#pragma once

#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "morphfit/model/landmark_mapping.h"
#include "morphfit/model/linear_basis.h"

namespace morphfit::model {

// Per-vertex RGB reflectance in [0, 1]: mean plus a PCA basis (scaled, as LinearBasis says).
struct AlbedoModel {
  Eigen::VectorXd mean;  // 3N, r g b per vertex
  LinearBasis basis;
};

// A 3D morphable face model: shape PCA, expression (PCA or blendshapes), optional albedo PCA,
// triangle topology and the metadata that fitting needs. Model space is in millimetres (see
// docs/conventions.md). Immutable once loaded; share one instance read-only between threads.
struct MorphableModel {
  std::string name;        // e.g. "sfm_shape_3448"
  std::string source;      // file(s) it was loaded from
  Eigen::VectorXd mean;    // 3N: x0 y0 z0 x1 ...
  LinearBasis shape;       // PCA
  LinearBasis expression;  // PCA or blendshapes; may be empty
  std::optional<AlbedoModel> albedo;
  std::vector<Eigen::Vector3i> triangles;  // counter-clockwise seen from outside the face
  std::vector<Eigen::Vector2d> texcoords;  // per vertex; empty when the model has none
  LandmarkMapping landmarks;
  std::vector<int> symmetry;  // mirror vertex of each vertex, -1 where unknown; may be empty

  int num_vertices() const { return static_cast<int>(mean.size() / 3); }
  int num_triangles() const { return static_cast<int>(triangles.size()); }

  // 3N vertex coordinates for shape and expression coefficients (empty or shorter vectors mean
  // zeros for the missing components).
  Eigen::VectorXd Instance(const Eigen::VectorXd& shape_coefficients,
                           const Eigen::VectorXd& expression_coefficients) const;
  // The same as a 3 x N matrix, one column per vertex.
  Eigen::Matrix3Xd InstanceVertices(const Eigen::VectorXd& shape_coefficients,
                                    const Eigen::VectorXd& expression_coefficients) const;
  // Vertex v alone, at O(K) cost.
  Eigen::Vector3d Vertex(int v, const Eigen::VectorXd& shape_coefficients,
                         const Eigen::VectorXd& expression_coefficients) const;

  // Throws morphfit::Error if the parts disagree in size or a triangle / landmark index is out
  // of range. Loaders call it; so should code that builds a model by hand.
  void Validate() const;
};

// Area-weighted unit vertex normals of a mesh given as 3 x N vertices.
Eigen::Matrix3Xd VertexNormals(const Eigen::Matrix3Xd& vertices,
                               const std::vector<Eigen::Vector3i>& triangles);

}  // namespace morphfit::model
