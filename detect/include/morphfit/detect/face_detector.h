#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "morphfit/detect/detected_face.h"
#include "morphfit/detect/detector_options.h"

namespace morphfit::detect {

// dlib's HOG frontal face detector followed by its 68-point shape predictor.
//
// Threads: dlib's shape predictor is safe for concurrent use, its face detector is not (each call
// refills the detector's internal feature pyramid; hence Detect is not const). So one FaceDetector
// must not be used by two threads at once: give each thread its own copy. Copies share the loaded
// shape predictor (the expensive part: ~100 MB, about a second to load) and duplicate only the
// small HOG detector.
class FaceDetector {
 public:
  // Loads options.landmark_model; throws morphfit::Error naming the file when it is missing or
  // not a dlib shape predictor, or when the options are invalid.
  explicit FaceDetector(const DetectorOptions& options = DetectorOptions());
  ~FaceDetector();
  FaceDetector(const FaceDetector& other);
  FaceDetector& operator=(const FaceDetector& other);
  FaceDetector(FaceDetector&&) noexcept;
  FaceDetector& operator=(FaceDetector&&) noexcept;

  // All faces in an 8-bit grey or BGR image, largest box first (ties: higher score, then top-left
  // first). Empty when none is found. `what` names the image in error messages.
  std::vector<DetectedFace> Detect(const cv::Mat& image, const std::string& what);

  // A copy with other detection settings that shares the loaded predictor. options.landmark_model
  // must name the file already loaded; throws morphfit::Error otherwise or for invalid options.
  FaceDetector WithOptions(const DetectorOptions& options) const;

  const DetectorOptions& options() const { return options_; }

 private:
  struct Dlib;
  DetectorOptions options_;
  std::unique_ptr<Dlib> dlib_;
};

}  // namespace morphfit::detect
