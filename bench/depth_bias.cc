// Diagnostic: how far from the camera the fitted face sits, per stage, on the synthetic scenes of
// photometric_accuracy (docs/photometric_diagnosis.md, "The near-camera bias"). Per face and
// stage: the true / fitted depth ratio (median over the pixels both cover), fitted / true focal,
// fitted / true face size (RMS distance from the centroid, model space, of all vertices and of the
// fixed landmark vertices), the depth RMSE as CompareWithTruth measures it and after multiplying
// the fitted depth by the true ratio (the face scaled about the camera to its true distance: the
// same image, the bias removed), and the error of the summed expression weights. Image scale is
// focal x size / depth, so the depth ratio is about the product of the inverse focal and size
// ratios.
//
//   depth_bias [cases=40] [first_seed=1000] [clean_landmarks 1] [true_shape 1] [photometric 1]
//              [ray_volume D] [verbose 1] [name value]...
// true_shape 1 replaces the shape and expression bases by one unpenalised direction, the true
// face's deviation from the mean: pose, focal and how much of that deviation are fitted.
// ray_volume D: after stage 2, CorrectAlongScaleRay (below) with D dimensions.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <Eigen/Cholesky>

#include "morphfit/model/model_io.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/synth/synthetic_scene.h"
#include "synthetic_bench_options.h"

namespace {

using namespace morphfit;

// The upper middle value, as photometric_accuracy reports it.
double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

double RmsRadius(const Eigen::Matrix3Xd& vertices) {
  const Eigen::Vector3d centroid = vertices.rowwise().mean();
  return std::sqrt((vertices.colwise() - centroid).colwise().squaredNorm().mean());
}

struct Ratios {
  // true/fit depth (median over pixels both cover), fit/true focal, fit/true size (RMS radius of
  // all vertices, and of the fixed landmark vertices)
  double depth = 0, focal = 0, size = 0, landmark_size = 0;
  // Depth RMSE after the median offset (as CompareWithTruth), and after the fitted depth is
  // multiplied by the true ratio first (the face scaled about the camera centre to the true
  // distance: the same image, the bias removed).
  double rmse = 0, rescaled_rmse = 0;
  // Sum of the fitted minus the sum of the true expression coefficients.
  double expression_sum_error = 0;
};

double OffsetRemovedRmse(const std::vector<double>& truth, const std::vector<double>& fitted,
                         double scale) {
  std::vector<double> d(truth.size());
  for (size_t k = 0; k < d.size(); ++k) d[k] = scale * fitted[k] - truth[k];
  const double offset = Median(d);
  double sum = 0;
  for (double e : d) sum += (e - offset) * (e - offset);
  return std::sqrt(sum / std::max<size_t>(d.size(), 1));
}

Eigen::Matrix3Xd FixedLandmarkVertices(const model::MorphableModel& model,
                                       const Eigen::Matrix3Xd& vertices) {
  std::vector<int> fixed;
  for (int i = 0; i < model::kNumIbugLandmarks; ++i)
    if (model.landmarks.IsFixed(i)) fixed.push_back(model.landmarks.vertex[i]);
  Eigen::Matrix3Xd points(3, fixed.size());
  for (size_t k = 0; k < fixed.size(); ++k) points.col(k) = vertices.col(fixed[k]);
  return points;
}

Ratios Measure(const model::MorphableModel& model, const Eigen::Matrix3Xd& true_vertices,
               const Eigen::VectorXd& true_expression, const render::Frame& truth,
               const render::Camera& true_camera, const solver::FitResult& fit) {
  const Eigen::Matrix3Xd vertices =
      model.InstanceVertices(fit.shape_coefficients, fit.expression_coefficients);
  const render::Frame frame = render::RenderModelSpaceMesh(vertices, model.triangles, fit.camera);
  std::vector<double> true_depth, fitted_depth, ratio;
  for (int i = 0; i < frame.num_pixels(); ++i) {
    if (!truth.Covered(i) || !frame.Covered(i)) continue;
    true_depth.push_back(truth.depth[i]);
    fitted_depth.push_back(frame.depth[i]);
    ratio.push_back(true_depth.back() / fitted_depth.back());
  }
  Ratios r;
  r.depth = Median(ratio);
  r.focal = fit.camera.focal / true_camera.focal;
  r.size = RmsRadius(vertices) / RmsRadius(true_vertices);
  r.landmark_size = RmsRadius(FixedLandmarkVertices(model, vertices)) /
                    RmsRadius(FixedLandmarkVertices(model, true_vertices));
  r.expression_sum_error = fit.expression_coefficients.sum() - true_expression.sum();
  r.rmse = OffsetRemovedRmse(true_depth, fitted_depth, 1.0);
  r.rescaled_rmse = OffsetRemovedRmse(true_depth, fitted_depth, r.depth);
  return r;
}

// The mean face at the landmark and contour vertices as shape coefficients plus a model-space
// offset: X0 ~ B a + offset there. Scaling a face X0 + B c by k about the camera is then, where
// the landmarks see it, the coefficients k (a + c) - a and a camera translation k t - (1 - k) R
// offset: a direction the landmark term cannot see.
struct ScaleRay {
  Eigen::VectorXd a;
  Eigen::Vector3d offset;
};

ScaleRay MeanFaceInShapeSpace(const model::MorphableModel& model) {
  std::vector<int> vertices;
  for (int i = 0; i < model::kNumIbugLandmarks; ++i)
    if (model.landmarks.IsFixed(i)) vertices.push_back(model.landmarks.vertex[i]);
  for (int v : model.landmarks.right_contour_vertices) vertices.push_back(v);
  for (int v : model.landmarks.left_contour_vertices) vertices.push_back(v);
  const int k = model.shape.num_components(), n = static_cast<int>(vertices.size());
  Eigen::MatrixXd design = Eigen::MatrixXd::Zero(3 * n, k + 3);
  Eigen::VectorXd mean(3 * n);
  for (int j = 0; j < n; ++j) {
    for (int d = 0; d < 3; ++d) {
      design.row(3 * j + d).head(k) = model.shape.scaled_basis.row(3 * vertices[j] + d);
      design(3 * j + d, k + d) = 1;
      mean[3 * j + d] = model.mean[3 * vertices[j] + d];
    }
  }
  Eigen::MatrixXd normal = design.transpose() * design;
  normal.diagonal().head(k).array() += 1e-6;
  const Eigen::VectorXd solution = normal.ldlt().solve(design.transpose() * mean);
  return {solution.head(k), solution.tail(3)};
}

// Moves the fit along the scale ray to the mode of the shape prior N(0, I) times the volume
// factor k^dimensions of the ray's parameter space (which the MAP estimate leaves out):
// maximises dimensions log k - |k (a + c) - a|^2 / 2.
void CorrectAlongScaleRay(const ScaleRay& ray, double dimensions, solver::FitResult& fit) {
  const Eigen::VectorXd apex_to_fit = ray.a + fit.shape_coefficients;
  const double q = apex_to_fit.squaredNorm(), p = ray.a.dot(apex_to_fit);
  const double k = (p + std::sqrt(p * p + 4 * dimensions * q)) / (2 * q);
  fit.shape_coefficients = k * apex_to_fit - ray.a;
  fit.expression_coefficients *= k;
  fit.camera.translation = k * fit.camera.translation - (1 - k) * fit.camera.rotation * ray.offset;
}

}  // namespace

int main(int argc, char** argv) {
  bench::SyntheticBenchArgs args;
  if (!bench::ParseSyntheticBenchArgs(
          argc, argv, 40, {"clean_landmarks", "true_shape", "photometric", "verbose", "ray_volume"},
          args)) {
    return 2;
  }
  const bool clean_landmarks = args.Extra("clean_landmarks", 0) != 0;
  const bool true_shape = args.Extra("true_shape", 0) != 0;
  const bool photometric = args.Extra("photometric", 0) != 0;
  const bool verbose = args.Extra("verbose", 0) != 0;
  const double ray_volume = args.Extra("ray_volume", 0);
  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(MORPHFIT_SHARED_DIR "/models/sfm"));
  bench::LoadPhotoTextures(model, args);
  solver::FitOptions fit_options = args.fit;
  if (true_shape) fit_options.shape_prior_weight = 0;
  const ScaleRay ray = MeanFaceInShapeSpace(model);
  const char* kStages[] = {"rigid", "landmarks", "photometric"};
  const int num_stages = photometric ? 3 : 2;
  // Per stage, per |yaw| band (< 10: both jaw contours fitted; 10-30; >= 30 degrees) and all.
  std::vector<double> depth[3][4], focal[3][4], size[3][4], landmark_size[3][4], rmse[3][4],
      rescaled_rmse[3][4], expression_error[3][4];
  for (int c = 0; c < args.cases; ++c) {
    const int seed = args.first_seed + c;
    const synth::SyntheticScene scene =
        synth::MakeSyntheticScene(model, args.scene, synth::Corruption::kNone, seed);
    const Landmarks& landmarks = clean_landmarks ? scene.face.clean_landmarks : scene.landmarks;
    const Eigen::Matrix3Xd true_vertices =
        model.InstanceVertices(scene.face.shape_coefficients, scene.face.expression_coefficients);
    // true_shape: the model's one shape direction is the true face's deviation from the mean
    // (shape and expression), unpenalised; the mean, and with it the jaw silhouette's search
    // region, stays the model's.
    model::MorphableModel fitted_model;
    if (true_shape) {
      fitted_model = model;
      fitted_model.shape.scaled_basis =
          model.Instance(scene.face.shape_coefficients, scene.face.expression_coefficients) -
          model.mean;
      fitted_model.shape.stddev = Eigen::VectorXd::Ones(1);
      fitted_model.expression = model::LinearBasis();
    }
    const model::MorphableModel& m = true_shape ? fitted_model : model;
    const Eigen::VectorXd true_expression =
        true_shape ? Eigen::VectorXd() : scene.face.expression_coefficients;
    const double abs_yaw = std::abs(scene.face.yaw) * 180 / M_PI;
    const int band = abs_yaw < 10 ? 0 : abs_yaw < 30 ? 1 : 2;
    Ratios r[3];
    solver::FitResult fit =
        solver::FitRigid(m, landmarks, {scene.image.cols, scene.image.rows}, fit_options);
    r[0] = Measure(m, true_vertices, true_expression, scene.truth, scene.face.camera, fit);
    solver::FitLandmarks(m, landmarks, fit_options, fit);
    if (ray_volume > 0) CorrectAlongScaleRay(ray, ray_volume, fit);
    r[1] = Measure(m, true_vertices, true_expression, scene.truth, scene.face.camera, fit);
    if (photometric) {
      solver::RunPhotometricStage(m, scene.image, landmarks, fit_options, args.photo, fit);
      r[2] = Measure(m, true_vertices, true_expression, scene.truth, scene.face.camera, fit);
    }
    for (int s = 0; s < num_stages; ++s) {
      for (int b : {band, 3}) {
        depth[s][b].push_back(r[s].depth);
        focal[s][b].push_back(r[s].focal);
        size[s][b].push_back(r[s].size);
        landmark_size[s][b].push_back(r[s].landmark_size);
        rmse[s][b].push_back(r[s].rmse);
        rescaled_rmse[s][b].push_back(r[s].rescaled_rmse);
        expression_error[s][b].push_back(r[s].expression_sum_error);
      }
    }
    if (verbose) {
      std::printf("%5d yaw %+6.1f", seed, scene.face.yaw * 180 / M_PI);
      for (int s = 0; s < num_stages; ++s)
        std::printf(
            " | %s depth %.4f focal %.4f size %.4f lm_size %.4f rmse %.2f -> %.2f dexpr %+.2f",
            kStages[s], r[s].depth, r[s].focal, r[s].size, r[s].landmark_size, r[s].rmse,
            r[s].rescaled_rmse, r[s].expression_sum_error);
      std::printf("\n");
    }
  }
  const char* kBands[] = {"|yaw|<10", "10-30", ">=30", "all"};
  std::printf(
      "medians: true/fit depth, fit/true focal, fit/true size (RMS radius: all vertices, fixed "
      "landmark vertices), depth RMSE mm (as fitted, rescaled to the true depth), fitted - true "
      "sum of expression coefficients\n");
  for (int s = 0; s < num_stages; ++s) {
    for (int b = 0; b < 4; ++b) {
      std::printf(
          "%-11s %-8s n=%3zu depth %.4f focal %.4f size %.4f lm_size %.4f rmse %.2f rescaled "
          "%.2f dexpr %+.2f\n",
          kStages[s], kBands[b], depth[s][b].size(), Median(depth[s][b]), Median(focal[s][b]),
          Median(size[s][b]), Median(landmark_size[s][b]), Median(rmse[s][b]),
          Median(rescaled_rmse[s][b]), Median(expression_error[s][b]));
    }
  }
  return 0;
}
