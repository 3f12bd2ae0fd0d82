#pragma once

// One fit of morphfit-eval: what the rule saw, what it decided, and how far the fit really was
// from the truth.

#include <limits>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/fit_statistics.h"
#include "morphfit/solver/photometric_options.h"
#include "morphfit/synth/synthetic_scene.h"
#include "morphfit/synth/truth_comparison.h"

namespace morphfit::eval {

// Annotated mode from detected landmarks: what the detector found for one image.
struct FaceDetection {
  int faces = 0;   // faces detected in the image
  int index = -1;  // the face fitted (largest first), -1 when none overlaps the annotation
  // That face's landmarks against the annotation, measured as annotation_nme is (RMS over the
  // model-mapped points / annotated outer-eye-corner distance); NaN when no face was fitted.
  double nme = std::numeric_limits<double>::quiet_NaN();
};

struct EvaluatedCase {
  std::string name;       // seed or file name
  std::string kind;       // corruption name, or "annotated"
  std::string fit_error;  // non-empty when the fit threw: no output, counted as rejected and bad
  std::optional<solver::FitStatistics> statistics;
  synth::TruthComparison truth;  // synthetic mode
  // Annotated mode: fitted model landmarks vs the human annotation; NaN (an empty CSV cell) when
  // there is no fit to measure.
  double annotation_nme = std::numeric_limits<double>::quiet_NaN();
  std::optional<FaceDetection> detection;  // annotated mode, when the landmarks were detected
  bool bad = false;
};

// How to fit: stages 1-2 with `fit`, then stage 3 with `photometric` when it is set (as
// morphfit-fit's --stages=photometric does).
struct FitSetup {
  solver::FitOptions fit;
  std::optional<solver::PhotometricOptions> photometric;
};

struct BadFitDefinition {
  double max_depth_rmse_mm = 4.0;  // synthetic: bad above this
  double min_coverage = 0.7;       // synthetic: bad when the fit covers less of the true face
  double max_annotation_nme = 0.08;
};

// Fits the image and landmarks, renders the fit and computes its statistics (with shading
// residuals against the image). Throws what the fit throws. `frame` receives the render.
solver::FitResult FitAndMeasure(const model::MorphableModel& model, const cv::Mat& image,
                                const Landmarks& landmarks, const FitSetup& setup,
                                solver::FitStatistics& statistics, render::Frame& frame);

// Synthetic mode: fit the scene's (possibly corrupted) landmarks and compare with its truth.
EvaluatedCase EvaluateSyntheticScene(const model::MorphableModel& model,
                                     const synth::SyntheticScene& scene, const std::string& name,
                                     const FitSetup& setup, const BadFitDefinition& definition);

// Annotated mode: fit `landmarks` (detected, or the annotation itself with
// --annotated_landmarks=annotation) and score the fitted model landmarks against `annotation`.
EvaluatedCase EvaluateAnnotatedImage(const model::MorphableModel& model, const cv::Mat& image,
                                     const Landmarks& landmarks, const Landmarks& annotation,
                                     const std::string& name, const FitSetup& setup,
                                     const BadFitDefinition& definition);

}  // namespace morphfit::eval
