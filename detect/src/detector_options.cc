#include "morphfit/detect/detector_options.h"

#include "morphfit/model/error.h"

namespace morphfit::detect {

void DetectorOptions::Check() const {
  if (landmark_model.empty()) throw Error("detector options: landmark_model is empty");
  if (max_detect_side < 0) {
    throw Error("detector options: max_detect_side must be 0 (never down-scale) or positive, got " +
                std::to_string(max_detect_side));
  }
  // Below the detector's 80-pixel window nothing can be found.
  if (max_detect_side > 0 && max_detect_side < 80) {
    throw Error("detector options: max_detect_side " + std::to_string(max_detect_side) +
                " is below dlib's 80-pixel face window");
  }
  if (upsample_times < 0 || upsample_times > 3) {
    throw Error("detector options: upsample_times must be 0 to 3, got " +
                std::to_string(upsample_times));
  }
  if (!(score_threshold > -10 && score_threshold < 10)) {
    throw Error("detector options: score_threshold must lie in (-10, 10), got " +
                std::to_string(score_threshold));
  }
}

}  // namespace morphfit::detect
