#include "morphfit/synth/stage_comparison.h"

#include <ctime>

#include "morphfit/model/error.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"

namespace morphfit::synth {

namespace {

double SecondsSince(std::clock_t start) {
  return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

TruthComparison Compare(const model::MorphableModel& model, const SyntheticScene& scene,
                        const solver::FitResult& fit) {
  const render::Frame frame = render::RenderModelSpaceMesh(
      model.InstanceVertices(fit.shape_coefficients, fit.expression_coefficients), model.triangles,
      fit.camera);
  return CompareWithTruth(scene.truth, frame, model, fit, scene.face.clean_landmarks);
}

}  // namespace

StageComparison CompareStages(const model::MorphableModel& model, const SyntheticScene& scene,
                              const solver::FitOptions& fit_options,
                              const solver::PhotometricOptions& photo_options) {
  if (!scene.has_face) throw Error("stage comparison: the scene has no face");
  StageComparison comparison;
  std::clock_t start = std::clock();
  solver::FitResult fit =
      solver::Fit(model, scene.landmarks, {scene.image.cols, scene.image.rows}, fit_options);
  comparison.landmark_seconds = SecondsSince(start);
  comparison.landmarks = Compare(model, scene, fit);
  start = std::clock();
  comparison.photometric_stage = solver::RunPhotometricStage(model, scene.image, scene.landmarks,
                                                             fit_options, photo_options, fit);
  comparison.photometric_seconds = SecondsSince(start);
  comparison.photometric = Compare(model, scene, fit);
  return comparison;
}

}  // namespace morphfit::synth
