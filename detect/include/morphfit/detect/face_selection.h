#pragma once

#include <string>
#include <vector>

#include "morphfit/detect/detected_face.h"

namespace morphfit::detect {

// Which of the detected faces to use.
struct FaceSelection {
  enum class Mode { kLargest, kIndex, kAll };
  Mode mode = Mode::kLargest;
  // 0-based index into the faces sorted largest first; used with Mode::kIndex.
  int index = 0;

  static FaceSelection Largest() { return {}; }
  static FaceSelection Index(int index) { return {Mode::kIndex, index}; }
  static FaceSelection All() { return {Mode::kAll, 0}; }
};

// The faces `selection` asks for, from `faces` sorted largest first (as FaceDetector returns
// them). Throws morphfit::Error naming `what` when there is no face, or fewer than the index asks.
std::vector<DetectedFace> SelectFaces(const std::vector<DetectedFace>& faces,
                                      const FaceSelection& selection, const std::string& what);

}  // namespace morphfit::detect
