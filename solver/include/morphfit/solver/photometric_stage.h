#pragma once

#include <opencv2/core.hpp>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/solver/fit_options.h"
#include "morphfit/solver/fit_types.h"
#include "morphfit/solver/photometric_options.h"

namespace morphfit::solver {

// Stage 3 of the fit: analysis by synthesis on visible surface samples.
//
// Starts from `fit` as stage 2 left it (coefficients, camera, landmark_vertices) and refines
// pose, shape, expression (and focal if asked) together with the 9 x 3 SH lighting, keeping the
// landmark term and the coefficient priors of stage 2 (`fit_options`). Per pyramid level (coarse to
// fine) and outer iteration: render the current mesh into the face crop, take a stratified set of
// visible samples inside the face region, solve lighting and albedo in closed form (they are linear
// given the geometry; robust weights from the current residuals), then run Ceres on the geometry
// and the lighting with the albedo held fixed. Fills fit.lighting, fit.vertex_albedo (or
// fit.albedo_coefficients when the model has an albedo PCA) and fit.photo_samples, and returns the
// stage's statistics. `image` is the full 8-bit image (BGR or grey); `landmarks` the observed
// ones in its pixels. Throws morphfit::Error on bad input.
StageStatistics RunPhotometricStage(const model::MorphableModel& model, const cv::Mat& image,
                                    const Landmarks& landmarks, const FitOptions& fit_options,
                                    const PhotometricOptions& options, FitResult& fit);

}  // namespace morphfit::solver
