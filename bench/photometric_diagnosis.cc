// Diagnostic: where the photometric stage moves a fit, on synthetic scenes. For each seed, the
// stage-2 and stage-3 results against the truth: depth RMSE, the slope of the fitted depth
// against the true depth (a bas-relief-like flattening or deepening shows as a slope away from 1)
// and the RMSE left after removing that slope, pose, focal and coefficient errors, and how the
// stage's change of the shape coefficients lines up with the stage-2 error.
//
//   photometric_diagnosis [cases=10] [first_seed=1000] [from_truth 1] [name value]...
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <Eigen/Geometry>
#include <opencv2/imgproc.hpp>

#include "morphfit/model/model_io.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/synth/synthetic_scene.h"
#include "morphfit/synth/truth_comparison.h"
#include "synthetic_bench_options.h"

namespace {

using namespace morphfit;

struct Measures {
  double rmse = 0, slope = 0, affine_rmse = 0, rotation_deg = 0, yaw_deg = 0, pitch_deg = 0, dz = 0,
         focal = 0, shape_error = 0, expression_error = 0, model_rms = 0;
  // Depth RMSE (after the median offset) more than 10 px inside the true silhouette, and within.
  double interior_rmse = 0, border_rmse = 0, border_fraction = 0;
};

Measures Measure(const model::MorphableModel& model, const synth::SyntheticScene& scene,
                 const solver::FitResult& fit) {
  Measures m;
  const Eigen::Matrix3Xd vertices =
      model.InstanceVertices(fit.shape_coefficients, fit.expression_coefficients);
  const render::Frame frame = render::RenderModelSpaceMesh(vertices, model.triangles, fit.camera);
  std::vector<double> truth, fitted;
  std::vector<bool> interior;
  cv::Mat mask(frame.height, frame.width, CV_8U);
  for (int y = 0; y < frame.height; ++y)
    for (int x = 0; x < frame.width; ++x)
      mask.at<uint8_t>(y, x) = scene.truth.Covered(x, y) ? 255 : 0;
  cv::erode(mask, mask, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(21, 21)));
  for (int i = 0; i < frame.num_pixels(); ++i) {
    if (!scene.truth.Covered(i) || !frame.Covered(i)) continue;
    truth.push_back(scene.truth.depth[i]);
    fitted.push_back(frame.depth[i]);
    interior.push_back(mask.at<uint8_t>(i / frame.width, i % frame.width) != 0);
  }
  {
    std::vector<double> d(truth.size());
    for (size_t k = 0; k < d.size(); ++k) d[k] = fitted[k] - truth[k];
    std::vector<double> sorted = d;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double offset = sorted[sorted.size() / 2];
    double si = 0, sb = 0;
    int ni = 0, nb = 0;
    for (size_t k = 0; k < d.size(); ++k) {
      const double e = (d[k] - offset) * (d[k] - offset);
      if (interior[k]) {
        si += e;
        ++ni;
      } else {
        sb += e;
        ++nb;
      }
    }
    m.interior_rmse = std::sqrt(si / std::max(ni, 1));
    m.border_rmse = std::sqrt(sb / std::max(nb, 1));
    m.border_fraction = static_cast<double>(nb) / d.size();
  }
  const Eigen::Map<Eigen::VectorXd> t(truth.data(), truth.size());
  const Eigen::Map<Eigen::VectorXd> f(fitted.data(), fitted.size());
  const Eigen::VectorXd tc = t.array() - t.mean(), fc = f.array() - f.mean();
  m.slope = tc.dot(fc) / tc.squaredNorm();
  m.affine_rmse = std::sqrt((fc - m.slope * tc).squaredNorm() / tc.size());
  m.rmse = synth::CompareWithTruth(scene.truth, frame, model, fit, scene.face.clean_landmarks)
               .depth_rmse_mm;
  const render::Camera& truth_camera = scene.face.camera;
  m.rotation_deg =
      Eigen::AngleAxisd(fit.camera.rotation * truth_camera.rotation.transpose()).angle() * 180 /
      M_PI;
  const Eigen::Vector3d ypr = render::YawPitchRollFromRotation(fit.camera.rotation);
  const Eigen::Vector3d ypr_truth = render::YawPitchRollFromRotation(truth_camera.rotation);
  m.yaw_deg = (ypr[0] - ypr_truth[0]) * 180 / M_PI;
  m.pitch_deg = (ypr[1] - ypr_truth[1]) * 180 / M_PI;
  m.dz = fit.camera.translation.z() - truth_camera.translation.z();
  m.focal = fit.camera.focal;
  m.shape_error = (fit.shape_coefficients - scene.face.shape_coefficients).norm();
  m.expression_error = (fit.expression_coefficients - scene.face.expression_coefficients).norm();
  const Eigen::Matrix3Xd truth_vertices =
      model.InstanceVertices(scene.face.shape_coefficients, scene.face.expression_coefficients);
  m.model_rms = std::sqrt((vertices - truth_vertices).colwise().squaredNorm().mean());
  return m;
}

void Print(const char* name, const Measures& m) {
  std::printf(
      "  %-5s rmse %5.2f slope %5.3f affine_rmse %5.2f | rot %5.2f yaw %+5.2f pitch %+5.2f deg dz "
      "%+6.1f focal %6.1f | |dshape| %5.2f |dexpr| %4.2f model_rms %5.2f | interior %5.2f border "
      "%5.2f (%.2f)\n",
      name, m.rmse, m.slope, m.affine_rmse, m.rotation_deg, m.yaw_deg, m.pitch_deg, m.dz, m.focal,
      m.shape_error, m.expression_error, m.model_rms, m.interior_rmse, m.border_rmse,
      m.border_fraction);
}

}  // namespace

int main(int argc, char** argv) {
  bench::SyntheticBenchArgs args;
  // from_truth 1: start stage 3 at the true parameters (as photometric_truth_drift);
  // clean_landmarks 1: fit the noise-free landmarks.
  if (!bench::ParseSyntheticBenchArgs(argc, argv, 10, {"from_truth", "clean_landmarks"}, args)) {
    return 2;
  }
  const bool from_truth = args.Extra("from_truth", 0) != 0;
  const bool clean_landmarks = args.Extra("clean_landmarks", 0) != 0;
  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(MORPHFIT_SHARED_DIR "/models/sfm"));
  bench::LoadPhotoTextures(model, args);
  for (int c = 0; c < args.cases; ++c) {
    const int seed = args.first_seed + c;
    const synth::SyntheticScene scene =
        synth::MakeSyntheticScene(model, args.scene, synth::Corruption::kNone, seed);
    const Landmarks& landmarks = clean_landmarks ? scene.face.clean_landmarks : scene.landmarks;
    solver::FitResult fit =
        solver::Fit(model, landmarks, {scene.image.cols, scene.image.rows}, args.fit);
    if (from_truth) {
      fit.camera = scene.face.camera;
      fit.shape_coefficients = scene.face.shape_coefficients;
      fit.expression_coefficients = scene.face.expression_coefficients;
      fit.landmark_vertices = scene.face.landmark_vertices;
    }
    const Measures before = Measure(model, scene, fit);
    const Eigen::VectorXd stage2_shape = fit.shape_coefficients;
    const render::Camera stage2_camera = fit.camera;
    const double stage2_landmark_rms = fit.stages.back().landmark_rms_px;
    const solver::StageStatistics stats =
        solver::RunPhotometricStage(model, scene.image, landmarks, args.fit, args.photo, fit);
    const Measures after = Measure(model, scene, fit);
    // The stage's step against the stage-2 error: cosine 1 = straight towards the truth.
    const Eigen::VectorXd step = fit.shape_coefficients - stage2_shape;
    const Eigen::VectorXd to_truth = scene.face.shape_coefficients - stage2_shape;
    const double cosine = step.dot(to_truth) / (step.norm() * to_truth.norm() + 1e-300);
    std::printf(
        "%4d yaw %+5.1f: step |%.2f| cos(step, to truth) %+.2f, photo_rms %.4f | observable: "
        "lm_rms "
        "%.3f -> %.3f px, drot %.3f deg, dz %+.2f mm, focal %.1f -> %.1f\n",
        seed, scene.face.yaw * 180 / M_PI, step.norm(), cosine, stats.photo_rms,
        stage2_landmark_rms, stats.landmark_rms_px,
        Eigen::AngleAxisd(fit.camera.rotation * stage2_camera.rotation.transpose()).angle() * 180 /
            M_PI,
        fit.camera.translation.z() - stage2_camera.translation.z(), stage2_camera.focal,
        fit.camera.focal);
    Print("lm", before);
    Print("photo", after);
  }
  return 0;
}
