#pragma once

#include <opencv2/core/types.hpp>

#include "morphfit/model/landmarks.h"

namespace morphfit::detect {

struct DetectedFace {
  // Face box in full-resolution pixels (0-based, as dlib reports it mapped back from the
  // detection image).
  cv::Rect box;
  // dlib's detection confidence (how far above its threshold the HOG score is).
  double score = 0;
  // 68 iBUG points in 0-based pixel-centre coordinates of the full-resolution image. dlib rounds
  // its predictions to whole pixels.
  Landmarks landmarks;
};

}  // namespace morphfit::detect
