// Diagnostic: stage 3 started from the TRUE parameters of synthetic scenes. On images our own
// renderer made, the photometric optimum should sit at the truth; the depth RMSE the stage
// reaches from there measures how far its model is from the image formation.
//
//   photometric_truth_drift [cases=10] [first_seed=1000] [name value]...
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "morphfit/model/model_io.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/synth/synthetic_scene.h"
#include "morphfit/synth/truth_comparison.h"
#include "synthetic_bench_options.h"

int main(int argc, char** argv) {
  using namespace morphfit;
  bench::SyntheticBenchArgs args;
  if (!bench::ParseSyntheticBenchArgs(argc, argv, 10, {"clean_landmarks"}, args)) return 2;
  const bool clean_landmarks = args.Extra("clean_landmarks", 0) != 0;
  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(MORPHFIT_SHARED_DIR "/models/sfm"));
  bench::LoadPhotoTextures(model, args);
  std::vector<double> drift;
  for (int c = 0; c < args.cases; ++c) {
    const synth::SyntheticScene scene =
        synth::MakeSyntheticScene(model, args.scene, synth::Corruption::kNone, args.first_seed + c);
    int covered = 0, saturated = 0;
    for (int y = 0; y < scene.image.rows; ++y) {
      for (int x = 0; x < scene.image.cols; ++x) {
        if (!scene.truth.Covered(x, y)) continue;
        ++covered;
        const cv::Vec3b p = scene.image.at<cv::Vec3b>(y, x);
        saturated += p[0] == 255 || p[1] == 255 || p[2] == 255;
      }
    }
    const Landmarks& landmarks = clean_landmarks ? scene.face.clean_landmarks : scene.landmarks;
    solver::FitResult fit =
        solver::Fit(model, landmarks, {scene.image.cols, scene.image.rows}, args.fit);
    fit.camera = scene.face.camera;
    fit.shape_coefficients = scene.face.shape_coefficients;
    fit.expression_coefficients = scene.face.expression_coefficients;
    fit.landmark_vertices = scene.face.landmark_vertices;
    const solver::StageStatistics stats =
        solver::RunPhotometricStage(model, scene.image, landmarks, args.fit, args.photo, fit);
    const render::Frame frame = render::RenderModelSpaceMesh(
        model.InstanceVertices(fit.shape_coefficients, fit.expression_coefficients),
        model.triangles, fit.camera);
    const synth::TruthComparison t =
        synth::CompareWithTruth(scene.truth, frame, model, fit, scene.face.clean_landmarks);
    const double shape_change = (fit.shape_coefficients - scene.face.shape_coefficients).norm();
    std::printf(
        "%4d depth_rmse %.2f mm offset %.2f normal %.2f deg | photo_rms %.4f inl %.2f | "
        "|dshape| %.2f focal %.1f -> %.1f sat %.3f\n",
        args.first_seed + c, t.depth_rmse_mm, t.depth_offset_mm, t.normal_error_deg,
        stats.photo_rms, stats.photo_inlier_fraction, shape_change, scene.face.camera.focal,
        fit.camera.focal, double(saturated) / covered);
    drift.push_back(t.depth_rmse_mm);
  }
  std::nth_element(drift.begin(), drift.begin() + drift.size() / 2, drift.end());
  std::printf("median depth RMSE after stage 3 from the truth: %.2f mm\n", drift[drift.size() / 2]);
  return 0;
}
