#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

namespace morphfit::model {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A linear deformation of the 3N vertex coordinates: offset = scaled_basis * coefficients.
//
// Rows are stored contiguously per vertex (row-major, row 3v+d is coordinate d of vertex v), so a
// cost function that needs one vertex reads 3 rows of K doubles and nothing else.
//
// For a PCA part the columns are the orthonormal basis scaled by the standard deviation of each
// component, so coefficients are in units of standard deviation and the prior is |c|^2. For named
// blendshapes the columns are the blendshape deformations themselves and `stddev` is all ones.
struct LinearBasis {
  RowMatrixXd scaled_basis;        // 3N x K
  Eigen::VectorXd stddev;          // K: sqrt(eigenvalue) for PCA, 1 for blendshapes
  std::vector<std::string> names;  // K names for blendshapes, empty for PCA
  bool is_pca = true;

  int num_components() const { return static_cast<int>(scaled_basis.cols()); }
  int num_vertices() const { return static_cast<int>(scaled_basis.rows() / 3); }
  bool empty() const { return scaled_basis.cols() == 0; }

  // The three rows (x, y, z) of vertex v, each num_components() long, one after the other.
  const double* VertexRows(int v) const {
    return scaled_basis.data() + 3 * v * scaled_basis.cols();
  }

  // Adds scaled_basis * coefficients to `points` (3N). An empty coefficient vector adds nothing;
  // a shorter one uses the leading components.
  void AddTo(const Eigen::VectorXd& coefficients, Eigen::VectorXd& points) const;
};

}  // namespace morphfit::model
