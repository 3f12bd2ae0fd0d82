#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <opencv2/core.hpp>

#include "morphfit/detect/detector_options.h"
#include "morphfit/detect/face_detector.h"
#include "morphfit/model/landmarks.h"

namespace morphfit::detect {

// Landmarks of the largest face, callable from many threads at once (a batch's workers).
// The ~100 MB shape predictor loads once, on the first call, so a batch whose images all carry
// landmarks never pays for it; each calling thread then detects with its own copy, because dlib's
// HOG detector is not safe for concurrent calls (copies share the predictor, ~0.1 ms each).
class ConcurrentLandmarkDetector {
 public:
  explicit ConcurrentLandmarkDetector(DetectorOptions options);

  // Throws morphfit::Error naming `image_path` when no face is found. Points that dlib puts
  // outside the image are clamped to it (the fit rejects points outside the image).
  Landmarks operator()(const cv::Mat& image_bgr, const std::string& image_path);

 private:
  FaceDetector& DetectorOfThisThread();

  DetectorOptions options_;
  std::once_flag loaded_;
  std::optional<FaceDetector> prototype_;
  std::mutex mutex_;
  std::map<std::thread::id, FaceDetector> per_thread_;  // map: references stay valid on insert
};

}  // namespace morphfit::detect
