#pragma once

#include <array>

#include <Eigen/Core>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"

namespace morphfit::solver {

// Which jaw contours (iBUG 1-8 = subject's right, 10-17 = subject's left) to fit at a head pose.
struct ContourSides {
  bool right = true;
  bool left = true;
};

// Both sides near a frontal view; beyond |yaw| > threshold only the side facing the camera (yaw > 0
// turns the nose to the viewer's right and shows the subject's right cheek).
ContourSides VisibleContourSides(const Eigen::Matrix3d& rotation, double yaw_threshold_rad);

// For every contour landmark of the model's mapping, the candidate contour vertex of its side
// whose projection under `camera` is nearest to the landmark. Other entries are left untouched.
// Costs O(candidates x (Ks + Ke)).
void MatchContourLandmarks(const model::MorphableModel& model,
                           const Eigen::VectorXd& shape_coefficients,
                           const Eigen::VectorXd& expression_coefficients,
                           const render::Camera& camera, const Landmarks& landmarks,
                           std::array<int, 68>& landmark_vertices);

}  // namespace morphfit::solver
