#include "morphfit/model/morphable_model.h"

#include <string>

#include <Eigen/Geometry>

#include "morphfit/model/error.h"

namespace morphfit::model {

Eigen::VectorXd MorphableModel::Instance(const Eigen::VectorXd& shape_coefficients,
                                         const Eigen::VectorXd& expression_coefficients) const {
  Eigen::VectorXd points = mean;
  shape.AddTo(shape_coefficients, points);
  if (!expression.empty())
    expression.AddTo(expression_coefficients, points);
  else if (expression_coefficients.size() > 0) {
    throw Error(name + ": expression coefficients given, but the model has no expression part");
  }
  return points;
}

Eigen::Matrix3Xd MorphableModel::InstanceVertices(
    const Eigen::VectorXd& shape_coefficients,
    const Eigen::VectorXd& expression_coefficients) const {
  const Eigen::VectorXd points = Instance(shape_coefficients, expression_coefficients);
  return Eigen::Map<const Eigen::Matrix3Xd>(points.data(), 3, num_vertices());
}

namespace {
void AddVertexOffset(const LinearBasis& basis, int v, const Eigen::VectorXd& coefficients,
                     Eigen::Vector3d& point) {
  const Eigen::Index k = coefficients.size();
  if (k == 0) return;
  if (k > basis.num_components()) {
    throw Error("linear basis: " + std::to_string(k) + " coefficients given for " +
                std::to_string(basis.num_components()) + " components");
  }
  point.noalias() += basis.scaled_basis.block(3 * v, 0, 3, k) * coefficients;
}
}  // namespace

Eigen::Vector3d MorphableModel::Vertex(int v, const Eigen::VectorXd& shape_coefficients,
                                       const Eigen::VectorXd& expression_coefficients) const {
  Eigen::Vector3d point = mean.segment<3>(3 * v);
  AddVertexOffset(shape, v, shape_coefficients, point);
  if (!expression.empty()) AddVertexOffset(expression, v, expression_coefficients, point);
  return point;
}

void MorphableModel::Validate() const {
  const std::string what = source.empty() ? name : source;
  const Eigen::Index rows = mean.size();
  if (rows == 0 || rows % 3 != 0) {
    throw Error(what + ": mean has " + std::to_string(rows) + " entries, expected 3 per vertex");
  }
  auto check_basis = [&](const LinearBasis& basis, const std::string& part) {
    if (basis.empty()) return;
    if (basis.scaled_basis.rows() != rows) {
      throw Error(what + ": " + part + " basis has " + std::to_string(basis.scaled_basis.rows()) +
                  " rows, the mean has " + std::to_string(rows));
    }
    if (basis.stddev.size() != basis.scaled_basis.cols()) {
      throw Error(what + ": " + part + " has " + std::to_string(basis.stddev.size()) +
                  " standard deviations for " + std::to_string(basis.scaled_basis.cols()) +
                  " components");
    }
  };
  if (shape.empty()) throw Error(what + ": the shape model has no components");
  check_basis(shape, "shape");
  check_basis(expression, "expression");
  if (albedo) {
    if (albedo->mean.size() != rows) {
      throw Error(what + ": albedo mean has " + std::to_string(albedo->mean.size()) +
                  " entries, the shape mean has " + std::to_string(rows));
    }
    check_basis(albedo->basis, "albedo");
  }
  const int n = num_vertices();
  for (size_t t = 0; t < triangles.size(); ++t) {
    for (int c = 0; c < 3; ++c) {
      if (triangles[t][c] < 0 || triangles[t][c] >= n) {
        throw Error(what + ": triangle " + std::to_string(t) + " refers to vertex " +
                    std::to_string(triangles[t][c]) + ", the model has " + std::to_string(n));
      }
    }
  }
  if (!texcoords.empty() && static_cast<int>(texcoords.size()) != n) {
    throw Error(what + ": " + std::to_string(texcoords.size()) + " texture coordinates for " +
                std::to_string(n) + " vertices");
  }
  auto check_vertex = [&](int v, const std::string& role) {
    if (v < 0 || v >= n) {
      throw Error(what + ": " + role + " refers to vertex " + std::to_string(v) +
                  ", the model has " + std::to_string(n));
    }
  };
  for (int i = 0; i < kNumIbugLandmarks; ++i) {
    if (landmarks.IsFixed(i))
      check_vertex(landmarks.vertex[i], "landmark " + std::to_string(i + 1));
  }
  for (int v : landmarks.right_contour_vertices) check_vertex(v, "right contour");
  for (int v : landmarks.left_contour_vertices) check_vertex(v, "left contour");
  if (!symmetry.empty()) {
    if (static_cast<int>(symmetry.size()) != n) {
      throw Error(what + ": symmetry list has " + std::to_string(symmetry.size()) +
                  " entries for " + std::to_string(n) + " vertices");
    }
    for (int v : symmetry) {
      if (v != -1) check_vertex(v, "symmetry list");
    }
  }
}

Eigen::Matrix3Xd VertexNormals(const Eigen::Matrix3Xd& vertices,
                               const std::vector<Eigen::Vector3i>& triangles) {
  Eigen::Matrix3Xd normals = Eigen::Matrix3Xd::Zero(3, vertices.cols());
  for (const Eigen::Vector3i& t : triangles) {
    const Eigen::Vector3d a = vertices.col(t[0]);
    // The cross product's length is twice the triangle's area: area weighting comes for free.
    const Eigen::Vector3d n = (vertices.col(t[1]) - a).cross(vertices.col(t[2]) - a);
    normals.col(t[0]) += n;
    normals.col(t[1]) += n;
    normals.col(t[2]) += n;
  }
  for (Eigen::Index v = 0; v < normals.cols(); ++v) {
    const double length = normals.col(v).norm();
    if (length > 0) normals.col(v) /= length;
  }
  return normals;
}

}  // namespace morphfit::model
