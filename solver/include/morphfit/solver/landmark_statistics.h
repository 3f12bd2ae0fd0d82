#pragma once

#include <array>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"

namespace morphfit::solver {

struct LandmarkErrors {
  double rms_px = 0;
  double max_px = 0;
  double rms_nme = 0;  // rms_px / outer-eye-corner distance of the observed landmarks
  int count = 0;
};

// Errors of `fitted` against `observed` over the landmarks with used[i] set.
LandmarkErrors MeasureLandmarkErrors(const Landmarks& observed, const Landmarks& fitted,
                                     const std::array<bool, 68>& used);

// The model's landmarks projected into the image: landmark i at vertex landmark_vertices[i];
// where that is -1 (the model does not map it) the observed point is repeated, as the .pts
// output convention says.
Landmarks ProjectModelLandmarks(const model::MorphableModel& model,
                                const Eigen::VectorXd& shape_coefficients,
                                const Eigen::VectorXd& expression_coefficients,
                                const render::Camera& camera,
                                const std::array<int, 68>& landmark_vertices,
                                const Landmarks& observed);

}  // namespace morphfit::solver
