#include "morphfit/detect/landmark_error.h"

#include "morphfit/model/error.h"

namespace morphfit::detect {

double NormalisedMeanError(const Landmarks& detected, const Landmarks& reference) {
  const double normaliser = OuterEyeCornerDistance(reference);
  if (!(normaliser > 0)) {
    throw Error("normalised mean error: the reference's outer eye corners coincide");
  }
  return (detected - reference).rowwise().norm().mean() / normaliser;
}

}  // namespace morphfit::detect
