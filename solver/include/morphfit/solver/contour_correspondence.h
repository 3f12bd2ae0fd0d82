#pragma once

#include <array>
#include <vector>

#include <Eigen/Core>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"
#include "morphfit/solver/fit_options.h"
#include "morphfit/solver/fit_types.h"

namespace morphfit::solver {

// Which jaw contours (iBUG 1-8 = subject's right, 10-17 = subject's left) face the camera.
struct ContourSides {
  bool right = true;
  bool left = true;
};

// Both sides near a frontal view; beyond |yaw| > threshold only the side facing the camera (yaw > 0
// turns the nose to the viewer's right and shows the subject's right cheek).
ContourSides VisibleContourSides(const Eigen::Matrix3d& rotation, double yaw_threshold_rad);

// Matches each of `contour_landmarks` to the vertex among `candidates` whose projection under
// `camera` is nearest (ties to the earlier candidate). Costs O(candidates x (Ks + Ke)).
void MatchToNearestProjection(const model::MorphableModel& model,
                              const Eigen::VectorXd& shape_coefficients,
                              const Eigen::VectorXd& expression_coefficients,
                              const render::Camera& camera, const Landmarks& landmarks,
                              const std::vector<int>& contour_landmarks,
                              const std::vector<int>& candidates,
                              std::array<int, 68>& landmark_vertices);

// Every contour landmark of the model's mapping to the nearest projected candidate of its side's
// contour vertex list. Other entries are left untouched.
void MatchContourLandmarks(const model::MorphableModel& model,
                           const Eigen::VectorXd& shape_coefficients,
                           const Eigen::VectorXd& expression_coefficients,
                           const render::Camera& camera, const Landmarks& landmarks,
                           std::array<int, 68>& landmark_vertices);

// The far side's annotated jaw line is the face's occluding contour (silhouette), which no fixed
// vertex follows. These are the silhouette vertices of the fitted mesh seen by `camera` that may
// carry a jaw landmark of the given side: vertices shared by a triangle facing the camera and one
// facing away, on that side of the face (model x < 0 for the subject's right), lateral to the eyes
// between eye and mouth-corner height, or below the lips. Only that region's vertices are
// instanced, so the cost is a fraction of a full mesh instance.
std::vector<int> JawSilhouetteVertices(const model::MorphableModel& model,
                                       const Eigen::VectorXd& shape_coefficients,
                                       const Eigen::VectorXd& expression_coefficients,
                                       const render::Camera& camera, bool right_side);

// Sets every landmark's vertex and whether it takes part in the fit, at the fit's current
// camera and coefficients: fixed landmarks from the mapping, contour landmarks matched as above,
// the far side's jaw to the silhouette when the face is turned (options.far_contour_to_silhouette).
void UpdateLandmarkCorrespondences(const model::MorphableModel& model, const Landmarks& landmarks,
                                   const FitOptions& options, FitResult& result);

}  // namespace morphfit::solver
