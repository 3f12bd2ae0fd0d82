#include "morphfit/eval/annotated_face.h"

#include "morphfit/detect/landmark_clamp.h"
#include "morphfit/solver/landmark_statistics.h"
#include "morphfit/synth/truth_comparison.h"

namespace morphfit::eval {
namespace {

cv::Rect2d BoundingBox(const Landmarks& landmarks) {
  const Eigen::Vector2d low = landmarks.colwise().minCoeff();
  const Eigen::Vector2d high = landmarks.colwise().maxCoeff();
  return {low.x(), low.y(), high.x() - low.x(), high.y() - low.y()};
}

}  // namespace

std::optional<int> MatchAnnotatedFace(const std::vector<detect::DetectedFace>& faces,
                                      const Landmarks& annotation) {
  const cv::Rect2d annotated = BoundingBox(annotation);
  std::optional<int> best;
  double best_overlap = 0;
  for (size_t i = 0; i < faces.size(); ++i) {
    const cv::Rect2d box(faces[i].box);
    const double intersection = (box & annotated).area();
    if (!(intersection > 0)) continue;
    const double overlap = intersection / (box.area() + annotated.area() - intersection);
    if (overlap > best_overlap) {
      best_overlap = overlap;
      best = static_cast<int>(i);
    }
  }
  return best;
}

EvaluatedCase EvaluateDetectedFace(const model::MorphableModel& model, const cv::Mat& image,
                                   const std::vector<detect::DetectedFace>& faces,
                                   const Landmarks& annotation, const std::string& name,
                                   const FitSetup& setup, const BadFitDefinition& definition) {
  FaceDetection detection;
  detection.faces = static_cast<int>(faces.size());
  const std::optional<int> index = MatchAnnotatedFace(faces, annotation);
  if (!index) {
    EvaluatedCase evaluated;
    evaluated.name = name;
    evaluated.kind = "annotated";
    evaluated.fit_error = faces.empty() ? "no face detected"
                                        : "no face detected over the annotated face (" +
                                              std::to_string(faces.size()) + " elsewhere)";
    evaluated.bad = true;
    evaluated.detection = detection;
    return evaluated;
  }
  Landmarks landmarks = faces[*index].landmarks;
  detect::ClampLandmarksToImage(landmarks, image.cols, image.rows);
  detection.index = *index;
  // The measure of annotation_nme, so that the two columns compare detection with detection + fit.
  detection.nme =
      solver::MeasureLandmarkErrors(annotation, landmarks, synth::MappedLandmarks(model)).rms_nme;
  EvaluatedCase evaluated =
      EvaluateAnnotatedImage(model, image, landmarks, annotation, name, setup, definition);
  evaluated.detection = detection;
  return evaluated;
}

}  // namespace morphfit::eval
