#pragma once

#include <string>

namespace morphfit::detect {

// Where Debian's libdlib-data installs the iBUG 68-point shape predictor.
inline constexpr const char* kDefaultLandmarkModel =
    "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

struct DetectorOptions {
  // dlib 68-point shape predictor file (about 100 MB; loaded once per Detector and shared by its
  // copies).
  std::string landmark_model = kDefaultLandmarkModel;

  // The face detector runs on a copy whose longer side is at most this many pixels (0: never
  // down-scale). HOG cost grows with the pixel count while the detector's 80 x 80 window still
  // finds faces that fill a tenth of a 1024-pixel side; landmarks are always predicted at full
  // resolution.
  int max_detect_side = 1024;

  // Doubles the detection image this many times after any down-scaling, to find faces smaller
  // than the detector's 80 x 80 window (each doubling costs about four times the detection time).
  int upsample_times = 0;

  // Added to dlib's detection threshold: negative finds more (and more false) faces.
  double score_threshold = 0.0;

  // Throws morphfit::Error naming the bad field.
  void Check() const;
};

}  // namespace morphfit::detect
