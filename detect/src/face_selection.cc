#include "morphfit/detect/face_selection.h"

#include "morphfit/model/error.h"

namespace morphfit::detect {

std::vector<DetectedFace> SelectFaces(const std::vector<DetectedFace>& faces,
                                      const FaceSelection& selection, const std::string& what) {
  if (faces.empty()) {
    throw Error(what +
                ": no face found (dlib HOG frontal face detector; for small faces try more "
                "up-sampling, or give the landmarks)");
  }
  switch (selection.mode) {
    case FaceSelection::Mode::kLargest:
      return {faces.front()};
    case FaceSelection::Mode::kIndex:
      if (selection.index < 0 || selection.index >= static_cast<int>(faces.size())) {
        throw Error(what + ": face index " + std::to_string(selection.index) + " asked, but " +
                    std::to_string(faces.size()) +
                    " face(s) found (indices from 0, largest first)");
      }
      return {faces[selection.index]};
    case FaceSelection::Mode::kAll:
      return faces;
  }
  throw Error(what + ": unknown face selection mode");
}

}  // namespace morphfit::detect
