#include "morphfit/detect/landmark_clamp.h"

#include <algorithm>

namespace morphfit::detect {

int ClampLandmarksToImage(Landmarks& landmarks, int width, int height) {
  int moved = 0;
  for (int i = 0; i < landmarks.rows(); ++i) {
    const double x = std::clamp(landmarks(i, 0), -0.5, width - 0.5);
    const double y = std::clamp(landmarks(i, 1), -0.5, height - 0.5);
    if (x != landmarks(i, 0) || y != landmarks(i, 1)) ++moved;
    landmarks.row(i) << x, y;
  }
  return moved;
}

}  // namespace morphfit::detect
