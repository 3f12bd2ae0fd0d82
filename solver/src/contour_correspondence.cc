#include "morphfit/solver/contour_correspondence.h"

#include <cmath>
#include <limits>

#include <Eigen/Geometry>

namespace morphfit::solver {

ContourSides VisibleContourSides(const Eigen::Matrix3d& rotation, double yaw_threshold_rad) {
  const double yaw = render::YawPitchRollFromRotation(rotation)[0];
  ContourSides sides;
  if (yaw > yaw_threshold_rad) sides.left = false;
  if (yaw < -yaw_threshold_rad) sides.right = false;
  return sides;
}

void MatchToNearestProjection(const model::MorphableModel& model,
                              const Eigen::VectorXd& shape_coefficients,
                              const Eigen::VectorXd& expression_coefficients,
                              const render::Camera& camera, const Landmarks& landmarks,
                              const std::vector<int>& contour_landmarks,
                              const std::vector<int>& candidates,
                              std::array<int, 68>& landmark_vertices) {
  std::vector<Eigen::Vector2d> projected(candidates.size());
  for (size_t c = 0; c < candidates.size(); ++c) {
    projected[c] = camera.ProjectModelPoint(
        model.Vertex(candidates[c], shape_coefficients, expression_coefficients));
  }
  for (int landmark : contour_landmarks) {
    const Eigen::Vector2d observed = landmarks.row(landmark).transpose();
    double best = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < candidates.size(); ++c) {
      const double distance = (projected[c] - observed).squaredNorm();
      if (distance < best) {
        best = distance;
        landmark_vertices[landmark] = candidates[c];
      }
    }
  }
}

void MatchContourLandmarks(const model::MorphableModel& model,
                           const Eigen::VectorXd& shape_coefficients,
                           const Eigen::VectorXd& expression_coefficients,
                           const render::Camera& camera, const Landmarks& landmarks,
                           std::array<int, 68>& landmark_vertices) {
  const model::LandmarkMapping& mapping = model.landmarks;
  MatchToNearestProjection(model, shape_coefficients, expression_coefficients, camera, landmarks,
                           mapping.right_contour_landmarks, mapping.right_contour_vertices,
                           landmark_vertices);
  MatchToNearestProjection(model, shape_coefficients, expression_coefficients, camera, landmarks,
                           mapping.left_contour_landmarks, mapping.left_contour_vertices,
                           landmark_vertices);
}

namespace {
// Whether vertex v of the mean face lies where the given side's jaw silhouette may run. Bounds
// come from the mean face's landmark vertices (model space: mm, y up, x to the subject's left).
class JawRegion {
 public:
  JawRegion(const model::MorphableModel& model, bool right_side)
      : model_(model), side_(right_side ? -1.0 : 1.0) {
    const Eigen::Vector3d eye_right = MeanLandmark(37), eye_left = MeanLandmark(46);
    eye_x_ = 0.5 * std::abs(eye_left.x() - eye_right.x()) + 5.0;
    eye_y_ = 0.5 * (eye_right.y() + eye_left.y());
    mouth_y_ = 0.5 * (MeanLandmark(49).y() + MeanLandmark(55).y());
    below_lips_y_ = MeanLandmark(58).y() - 5.0;
  }

  // Beyond the outer eye corners (by 5 mm) between eye and mouth-corner height, or off the midline
  // below the lower lip: the silhouettes of the eyes, nose and lips stay out.
  bool Contains(int v) const {
    const Eigen::Vector3d mean = model_.mean.segment<3>(3 * v);
    const double outward = side_ * mean.x();
    const bool lateral = outward > eye_x_ && mean.y() <= eye_y_ && mean.y() >= mouth_y_;
    const bool below_lips = outward > 5.0 && mean.y() < below_lips_y_;
    return lateral || below_lips;
  }

 private:
  Eigen::Vector3d MeanLandmark(int ibug) const {
    const int v = model_.landmarks.vertex[ibug - 1];
    return v < 0 ? Eigen::Vector3d::Zero() : Eigen::Vector3d(model_.mean.segment<3>(3 * v));
  }

  const model::MorphableModel& model_;
  double side_;
  double eye_x_ = 0, eye_y_ = 0, mouth_y_ = 0, below_lips_y_ = 0;
};
}  // namespace

std::vector<int> JawSilhouetteVertices(const model::MorphableModel& model,
                                       const Eigen::VectorXd& shape_coefficients,
                                       const Eigen::VectorXd& expression_coefficients,
                                       const render::Camera& camera, bool right_side) {
  const JawRegion region(model, right_side);
  const int n = model.num_vertices();
  std::vector<char> inside(n, 0);
  for (int v = 0; v < n; ++v) inside[v] = region.Contains(v);
  // Camera-space positions of the vertices of triangles touching the region, computed lazily.
  std::vector<char> computed(n, 0);
  Eigen::Matrix3Xd points(3, n);
  auto point = [&](int v) -> const Eigen::Vector3d {
    if (!computed[v]) {
      points.col(v) = camera.ToCamera(model.Vertex(v, shape_coefficients, expression_coefficients));
      computed[v] = 1;
    }
    return points.col(v);
  };
  std::vector<char> front(n, 0), back(n, 0);
  for (const Eigen::Vector3i& t : model.triangles) {
    if (!inside[t[0]] && !inside[t[1]] && !inside[t[2]]) continue;
    const Eigen::Vector3d a = point(t[0]), b = point(t[1]), c = point(t[2]);
    // Counter-clockwise seen from outside: (b - a) x (c - a) points out; the camera is at 0.
    const bool faces_camera = (b - a).cross(c - a).dot(-a) > 0;
    std::vector<char>& flags = faces_camera ? front : back;
    flags[t[0]] = flags[t[1]] = flags[t[2]] = 1;
  }
  std::vector<int> silhouette;
  for (int v = 0; v < n; ++v) {
    if (inside[v] && front[v] && back[v]) silhouette.push_back(v);
  }
  return silhouette;
}

void UpdateLandmarkCorrespondences(const model::MorphableModel& model, const Landmarks& landmarks,
                                   const FitOptions& options, FitResult& result) {
  const model::LandmarkMapping& mapping = model.landmarks;
  for (int i = 0; i < model::kNumIbugLandmarks; ++i) {
    result.landmark_vertices[i] = mapping.vertex[i];
    result.landmark_in_fit[i] = mapping.IsFixed(i);
  }
  MatchContourLandmarks(model, result.shape_coefficients, result.expression_coefficients,
                        result.camera, landmarks, result.landmark_vertices);
  const ContourSides sides =
      VisibleContourSides(result.camera.rotation, options.contour_side_yaw_deg * M_PI / 180.0);
  for (int i : mapping.right_contour_landmarks) result.landmark_in_fit[i] = sides.right;
  for (int i : mapping.left_contour_landmarks) result.landmark_in_fit[i] = sides.left;
  if (options.far_contour_to_silhouette && sides.right != sides.left) {
    const bool far_is_right = !sides.right;
    const std::vector<int>& far_landmarks =
        far_is_right ? mapping.right_contour_landmarks : mapping.left_contour_landmarks;
    const std::vector<int> silhouette =
        JawSilhouetteVertices(model, result.shape_coefficients, result.expression_coefficients,
                              result.camera, far_is_right);
    if (!silhouette.empty()) {
      MatchToNearestProjection(model, result.shape_coefficients, result.expression_coefficients,
                               result.camera, landmarks, far_landmarks, silhouette,
                               result.landmark_vertices);
      for (int i : far_landmarks) result.landmark_in_fit[i] = true;
    }
  }
}

}  // namespace morphfit::solver
