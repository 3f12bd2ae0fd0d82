#pragma once

// Annotated mode from detected landmarks: which detected face is the annotated one, and the
// evaluation of its fit against the human annotation.

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "morphfit/detect/detected_face.h"
#include "morphfit/eval/evaluated_case.h"
#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"

namespace morphfit::eval {

// The index of the face whose detection box overlaps the annotation's bounding box most
// (intersection over union; ties: the earlier, i.e. larger, face); nullopt when none overlaps.
// The evaluation measures landmarks and fit, not which face a policy would pick, so the face the
// annotator marked is the one compared.
std::optional<int> MatchAnnotatedFace(const std::vector<detect::DetectedFace>& faces,
                                      const Landmarks& annotation);

// Fits the detected landmarks of the face that matches `annotation` (clamped to the image, as
// morphfit-fit clamps them) and scores the fit against the annotation; records the detection
// (faces found, face used, the detected landmarks' own NME). No matching face: a failed, bad case
// with fit_error "no face detected ..." (a recorded failure, not an exception).
EvaluatedCase EvaluateDetectedFace(const model::MorphableModel& model, const cv::Mat& image,
                                   const std::vector<detect::DetectedFace>& faces,
                                   const Landmarks& annotation, const std::string& name,
                                   const FitSetup& setup, const BadFitDefinition& definition);

}  // namespace morphfit::eval
