#include "morphfit/eval/evaluated_case.h"

#include <cmath>

#include "morphfit/model/error.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/landmark_statistics.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/solver/shading_residuals.h"

namespace morphfit::eval {

solver::FitResult FitAndMeasure(const model::MorphableModel& model, const cv::Mat& image,
                                const Landmarks& landmarks, const FitSetup& setup,
                                solver::FitStatistics& statistics, render::Frame& frame) {
  solver::FitResult result = solver::Fit(model, landmarks, {image.cols, image.rows}, setup.fit);
  if (setup.photometric) {
    solver::RunPhotometricStage(model, image, landmarks, setup.fit, *setup.photometric, result);
  }
  frame = render::RenderModelSpaceMesh(
      model.InstanceVertices(result.shape_coefficients, result.expression_coefficients),
      model.triangles, result.camera);
  solver::FitObservations observations;
  observations.shading = solver::ComputeShadingResiduals(image, frame);
  statistics = solver::ComputeFitStatistics(model, result, landmarks, observations);
  return result;
}

EvaluatedCase EvaluateSyntheticScene(const model::MorphableModel& model,
                                     const synth::SyntheticScene& scene, const std::string& name,
                                     const FitSetup& setup, const BadFitDefinition& definition) {
  EvaluatedCase evaluated;
  evaluated.name = name;
  evaluated.kind = synth::CorruptionName(scene.corruption);
  try {
    solver::FitStatistics statistics;
    render::Frame frame;
    const solver::FitResult result =
        FitAndMeasure(model, scene.image, scene.landmarks, setup, statistics, frame);
    evaluated.statistics = statistics;
    evaluated.truth =
        synth::CompareWithTruth(scene.truth, frame, model, result, scene.face.clean_landmarks);
  } catch (const Error& e) {
    evaluated.fit_error = e.what();
  }
  evaluated.bad = !scene.has_face || !evaluated.fit_error.empty() ||
                  !(evaluated.truth.coverage >= definition.min_coverage) ||
                  !(evaluated.truth.depth_rmse_mm <= definition.max_depth_rmse_mm);
  return evaluated;
}

EvaluatedCase EvaluateAnnotatedImage(const model::MorphableModel& model, const cv::Mat& image,
                                     const Landmarks& landmarks, const Landmarks& annotation,
                                     const std::string& name, const FitSetup& setup,
                                     const BadFitDefinition& definition) {
  EvaluatedCase evaluated;
  evaluated.name = name;
  evaluated.kind = "annotated";
  try {
    solver::FitStatistics statistics;
    render::Frame frame;
    const solver::FitResult result =
        FitAndMeasure(model, image, landmarks, setup, statistics, frame);
    evaluated.statistics = statistics;
    evaluated.annotation_nme = solver::MeasureLandmarkErrors(annotation, result.fitted_landmarks,
                                                             synth::MappedLandmarks(model))
                                   .rms_nme;
  } catch (const Error& e) {
    evaluated.fit_error = e.what();
  }
  evaluated.bad =
      !evaluated.fit_error.empty() || !(evaluated.annotation_nme <= definition.max_annotation_nme);
  return evaluated;
}

}  // namespace morphfit::eval
