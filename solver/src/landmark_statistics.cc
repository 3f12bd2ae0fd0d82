#include "morphfit/solver/landmark_statistics.h"

#include <algorithm>
#include <cmath>

namespace morphfit::solver {

LandmarkErrors MeasureLandmarkErrors(const Landmarks& observed, const Landmarks& fitted,
                                     const std::array<bool, 68>& used) {
  LandmarkErrors errors;
  double sum_squares = 0;
  for (int i = 0; i < 68; ++i) {
    if (!used[i]) continue;
    const double error = (fitted.row(i) - observed.row(i)).norm();
    sum_squares += error * error;
    errors.max_px = std::max(errors.max_px, error);
    ++errors.count;
  }
  if (errors.count == 0) return errors;
  errors.rms_px = std::sqrt(sum_squares / errors.count);
  const double normaliser = OuterEyeCornerDistance(observed);
  errors.rms_nme = normaliser > 0 ? errors.rms_px / normaliser : 0;
  return errors;
}

Landmarks ProjectModelLandmarks(const model::MorphableModel& model,
                                const Eigen::VectorXd& shape_coefficients,
                                const Eigen::VectorXd& expression_coefficients,
                                const render::Camera& camera,
                                const std::array<int, 68>& landmark_vertices,
                                const Landmarks& observed) {
  Landmarks projected = observed;
  for (int i = 0; i < 68; ++i) {
    if (landmark_vertices[i] < 0) continue;
    const Eigen::Vector3d point =
        model.Vertex(landmark_vertices[i], shape_coefficients, expression_coefficients);
    projected.row(i) = camera.ProjectModelPoint(point).transpose();
  }
  return projected;
}

}  // namespace morphfit::solver
