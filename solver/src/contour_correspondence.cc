#include "morphfit/solver/contour_correspondence.h"

#include <limits>
#include <vector>

namespace morphfit::solver {

ContourSides VisibleContourSides(const Eigen::Matrix3d& rotation, double yaw_threshold_rad) {
  const double yaw = render::YawPitchRollFromRotation(rotation)[0];
  ContourSides sides;
  if (yaw > yaw_threshold_rad) sides.left = false;
  if (yaw < -yaw_threshold_rad) sides.right = false;
  return sides;
}

namespace {
void MatchSide(const model::MorphableModel& model, const Eigen::VectorXd& shape,
               const Eigen::VectorXd& expression, const render::Camera& camera,
               const Landmarks& landmarks, const std::vector<int>& contour_landmarks,
               const std::vector<int>& candidates, std::array<int, 68>& landmark_vertices) {
  if (contour_landmarks.empty() || candidates.empty()) return;
  std::vector<Eigen::Vector2d> projected(candidates.size());
  for (size_t c = 0; c < candidates.size(); ++c) {
    projected[c] = camera.ProjectModelPoint(model.Vertex(candidates[c], shape, expression));
  }
  for (int landmark : contour_landmarks) {
    const Eigen::Vector2d observed = landmarks.row(landmark).transpose();
    double best = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < candidates.size(); ++c) {
      const double distance = (projected[c] - observed).squaredNorm();
      // Strict '<': ties go to the earlier candidate, so the result is deterministic.
      if (distance < best) {
        best = distance;
        landmark_vertices[landmark] = candidates[c];
      }
    }
  }
}
}  // namespace

void MatchContourLandmarks(const model::MorphableModel& model,
                           const Eigen::VectorXd& shape_coefficients,
                           const Eigen::VectorXd& expression_coefficients,
                           const render::Camera& camera, const Landmarks& landmarks,
                           std::array<int, 68>& landmark_vertices) {
  const model::LandmarkMapping& mapping = model.landmarks;
  MatchSide(model, shape_coefficients, expression_coefficients, camera, landmarks,
            mapping.right_contour_landmarks, mapping.right_contour_vertices, landmark_vertices);
  MatchSide(model, shape_coefficients, expression_coefficients, camera, landmarks,
            mapping.left_contour_landmarks, mapping.left_contour_vertices, landmark_vertices);
}

}  // namespace morphfit::solver
