#include "morphfit/model/linear_basis.h"

#include "morphfit/model/error.h"

namespace morphfit::model {

void LinearBasis::AddTo(const Eigen::VectorXd& coefficients, Eigen::VectorXd& points) const {
  const Eigen::Index k = coefficients.size();
  if (k == 0) return;
  if (k > scaled_basis.cols()) {
    throw Error("linear basis: " + std::to_string(k) + " coefficients given for " +
                std::to_string(scaled_basis.cols()) + " components");
  }
  if (points.size() != scaled_basis.rows()) {
    throw Error("linear basis: point vector has " + std::to_string(points.size()) +
                " entries, basis has " + std::to_string(scaled_basis.rows()) + " rows");
  }
  points.noalias() += scaled_basis.leftCols(k) * coefficients;
}

}  // namespace morphfit::model
