#pragma once

#include "morphfit/model/landmarks.h"

namespace morphfit::detect {

// Mean point-to-point distance over the 68 points divided by the reference's outer-eye-corner
// distance (iBUG 37 and 46), the usual 300-W normalised mean error. Throws morphfit::Error when
// the reference's eye corners coincide.
double NormalisedMeanError(const Landmarks& detected, const Landmarks& reference);

}  // namespace morphfit::detect
