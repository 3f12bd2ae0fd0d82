#include "morphfit/detect/concurrent_landmark_detector.h"

#include "morphfit/detect/face_selection.h"
#include "morphfit/detect/landmark_clamp.h"

namespace morphfit::detect {

ConcurrentLandmarkDetector::ConcurrentLandmarkDetector(DetectorOptions options)
    : options_(std::move(options)) {}

FaceDetector& ConcurrentLandmarkDetector::DetectorOfThisThread() {
  std::call_once(loaded_, [this] { prototype_.emplace(options_); });
  const std::lock_guard<std::mutex> lock(mutex_);
  return per_thread_.try_emplace(std::this_thread::get_id(), *prototype_).first->second;
}

Landmarks ConcurrentLandmarkDetector::operator()(const cv::Mat& image_bgr,
                                                 const std::string& image_path) {
  FaceDetector& detector = DetectorOfThisThread();
  const std::vector<DetectedFace> faces = detector.Detect(image_bgr, image_path);
  Landmarks landmarks = SelectFaces(faces, FaceSelection(), image_path).front().landmarks;
  ClampLandmarksToImage(landmarks, image_bgr.cols, image_bgr.rows);
  return landmarks;
}

}  // namespace morphfit::detect
