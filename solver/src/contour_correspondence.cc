#include "morphfit/solver/contour_correspondence.h"

#include <cmath>
#include <limits>

#include <Eigen/Geometry>
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
void AssignNearest(const std::vector<Eigen::Vector2d>& projected, const std::vector<int>& candidates,
                   const Landmarks& landmarks, const std::vector<int>& contour_landmarks,
                   std::array<int, 68>& landmark_vertices) {
  for (int landmark : contour_landmarks) {
    const Eigen::Vector2d observed = landmarks.row(landmark).transpose();
    double best = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < candidates.size(); ++c) {
      const double distance = (projected[c] - observed).squaredNorm();
      if (distance < best) {  // ties go to the earlier candidate: deterministic
        best = distance;
        landmark_vertices[landmark] = candidates[c];
      }
    }
  }
}

void MatchSide(const model::MorphableModel& model, const Eigen::VectorXd& shape,
               const Eigen::VectorXd& expression, const render::Camera& camera,
               const Landmarks& landmarks, const std::vector<int>& contour_landmarks,
               const std::vector<int>& candidates, std::array<int, 68>& landmark_vertices) {
  std::vector<Eigen::Vector2d> projected(candidates.size());
  for (size_t c = 0; c < candidates.size(); ++c) {
    projected[c] = camera.ProjectModelPoint(model.Vertex(candidates[c], shape, expression));
  }
  AssignNearest(projected, candidates, landmarks, contour_landmarks, landmark_vertices);
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

std::vector<int> JawSilhouetteVertices(const model::MorphableModel& model,
                                       const Eigen::Matrix3Xd& model_vertices,
                                       const render::Camera& camera, bool right_side) {
  const int n = model.num_vertices();
  std::vector<char> front(n, 0), back(n, 0);
  for (const Eigen::Vector3i& t : model.triangles) {
    const Eigen::Vector3d a = camera.ToCamera(model_vertices.col(t[0]));
    const Eigen::Vector3d b = camera.ToCamera(model_vertices.col(t[1]));
    const Eigen::Vector3d c = camera.ToCamera(model_vertices.col(t[2]));
    // Counter-clockwise seen from outside: (b - a) x (c - a) points out; the camera is at 0.
    const bool faces_camera = (b - a).cross(c - a).dot(-a) > 0;
    std::vector<char>& flags = faces_camera ? front : back;
    flags[t[0]] = flags[t[1]] = flags[t[2]] = 1;
  }
  // Region bounds from the mean face's landmark vertices (model space is mm, y up, x to the
  // subject's left).
  const model::LandmarkMapping& mapping = model.landmarks;
  auto mean_vertex = [&](int ibug) -> Eigen::Vector3d {
    const int v = mapping.vertex[ibug - 1];
    return v < 0 ? Eigen::Vector3d::Zero() : Eigen::Vector3d(model.mean.segment<3>(3 * v));
  };
  // Lateral to the outer eye corners above the mouth corners, anywhere off the midline below the
  // lower lip: this keeps the silhouettes of the eyes, nose and lips out.
  const double eye_x = 0.8 * 0.5 * std::abs(mean_vertex(46).x() - mean_vertex(37).x());
  const double eye_y = 0.5 * (mean_vertex(37).y() + mean_vertex(46).y());
  const double mouth_y = 0.5 * (mean_vertex(49).y() + mean_vertex(55).y());
  const double below_lips_y = mean_vertex(58).y() - 5.0;
  const double side = right_side ? -1.0 : 1.0;
  std::vector<int> silhouette;
  for (int v = 0; v < n; ++v) {
    if (!front[v] || !back[v]) continue;
    const Eigen::Vector3d mean = model.mean.segment<3>(3 * v);
    const double outward = side * mean.x();
    const bool lateral = outward > eye_x && mean.y() <= eye_y && mean.y() >= mouth_y;
    const bool below_lips = outward > 5.0 && mean.y() < below_lips_y;
    if (lateral || below_lips) silhouette.push_back(v);
  }
  return silhouette;
}

void MatchToNearestProjection(const Eigen::Matrix3Xd& model_vertices, const render::Camera& camera,
                              const Landmarks& landmarks, const std::vector<int>& contour_landmarks,
                              const std::vector<int>& candidates,
                              std::array<int, 68>& landmark_vertices) {
  std::vector<Eigen::Vector2d> projected(candidates.size());
  for (size_t c = 0; c < candidates.size(); ++c) {
    projected[c] = camera.ProjectModelPoint(model_vertices.col(candidates[c]));
  }
  AssignNearest(projected, candidates, landmarks, contour_landmarks, landmark_vertices);
}

}  // namespace morphfit::solver
