#pragma once

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/solver/fit_options.h"
#include "morphfit/solver/fit_types.h"

namespace morphfit::solver {

struct ImageSize {
  int width = 0;
  int height = 0;
};

// The landmark fit, stages 1 and 2 (see docs/conventions.md, "Flow of one image"). `landmarks`
// must have passed ValidateLandmarks for this image size. Validates `options`; throws
// morphfit::Error on bad options or when no pose can be found. Single-threaded, deterministic;
// `model` is only read, so one model can serve many concurrent fits.
FitResult Fit(const model::MorphableModel& model, const Landmarks& landmarks, ImageSize image_size,
              const FitOptions& options);

// The stages one by one, for schedules that add later stages.
// Stage 1: mean shape, pose by PnP, focal from options.fov_deg. Appends a "rigid" StageStatistics.
FitResult FitRigid(const model::MorphableModel& model, const Landmarks& landmarks,
                   ImageSize image_size, const FitOptions& options);
// Stage 2: refines `result` (pose, focal, shape, expression) against the landmarks with contour
// re-matching. Appends a "landmarks" StageStatistics.
void FitLandmarks(const model::MorphableModel& model, const Landmarks& landmarks,
                  const FitOptions& options, FitResult& result);

}  // namespace morphfit::solver
