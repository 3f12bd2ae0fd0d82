#pragma once

#include "morphfit/model/landmarks.h"

namespace morphfit::detect {

// Moves landmarks that lie beyond the border of a width x height image (by more than the half
// pixel ValidateLandmarks allows) onto it, and returns how many moved. dlib extrapolates points
// of a face the image cuts off (typically the chin); the fit's input check rejects such points,
// so a caller that fits detected landmarks clamps them and records how many it clamped.
int ClampLandmarksToImage(Landmarks& landmarks, int width, int height);

}  // namespace morphfit::detect
