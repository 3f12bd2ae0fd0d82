#include "morphfit/solver/fit_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Geometry>

#include "morphfit/model/error.h"
#include "morphfit/render/camera.h"
#include "morphfit/solver/robust_statistics.h"

namespace morphfit::solver {
namespace {

constexpr double kDegreesPerRadian = 180.0 / M_PI;

void AddLandmarkStatistics(const model::MorphableModel& model, const FitResult& result,
                           const Landmarks& input, FitStatistics& stats) {
  stats.eye_corner_distance_px = OuterEyeCornerDistance(input);
  const double normaliser = stats.eye_corner_distance_px > 0
                                ? stats.eye_corner_distance_px
                                : std::numeric_limits<double>::quiet_NaN();
  std::array<double, kNumFaceRegions> region_sum_sq{};
  double sum_sq = 0;
  Eigen::Vector2d box_min = Eigen::Vector2d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector2d box_max = -box_min;
  // The landmarks the fit used (not the far-side jaw contour of a turned face, which follows the
  // silhouette and no model vertex); without that record, every landmark the model maps.
  // Unmapped landmarks repeat the input point in fitted_landmarks: they carry no error.
  const bool fit_recorded = std::any_of(
      result.landmark_in_fit.begin(), result.landmark_in_fit.end(), [](bool used) { return used; });
  for (int i = 0; i < model::kNumIbugLandmarks; ++i) {
    if (fit_recorded ? !result.landmark_in_fit[i] : model.landmarks.IsUnmapped(i)) continue;
    const Eigen::Vector2d fitted = result.fitted_landmarks.row(i).transpose();
    const double error = (fitted - input.row(i).transpose()).norm();
    ++stats.landmarks_used;
    sum_sq += error * error;
    stats.landmark_max_px = std::max(stats.landmark_max_px, error);
    const int region = static_cast<int>(RegionOfLandmark(i));
    region_sum_sq[region] += error * error;
    ++stats.regions[region].count;
    box_min = box_min.cwiseMin(fitted);
    box_max = box_max.cwiseMax(fitted);
  }
  if (stats.landmarks_used == 0) throw Error("fit statistics: the model maps no iBUG landmark");
  stats.landmark_rms_px = std::sqrt(sum_sq / stats.landmarks_used);
  stats.landmark_rms_nme = stats.landmark_rms_px / normaliser;
  stats.landmark_max_nme = stats.landmark_max_px / normaliser;
  for (int r = 0; r < kNumFaceRegions; ++r) {
    RegionLandmarkError& region = stats.regions[r];
    if (region.count == 0) continue;
    region.rms_px = std::sqrt(region_sum_sq[r] / region.count);
    region.rms_nme = region.rms_px / normaliser;
    stats.worst_region_nme = std::max(stats.worst_region_nme, region.rms_nme);
  }
  if (!std::isfinite(stats.landmark_rms_nme)) stats.worst_region_nme = stats.landmark_rms_nme;
  const Eigen::Vector2d extent = box_max - box_min;
  stats.face_size_px = std::sqrt(extent.x() * extent.y());
}

struct ResidualSummary {
  int count = 0;
  double rms = 0;
  double median_abs = 0;
  double inlier_fraction = 0;
};

// RMS, median |r| and inlier share of residuals; `inliers` empty means all are inliers.
ResidualSummary SummariseResiduals(const std::vector<double>& residuals,
                                   const std::vector<std::uint8_t>& inliers, const char* what) {
  if (!inliers.empty() && inliers.size() != residuals.size()) {
    throw Error(std::string("fit statistics: ") + std::to_string(inliers.size()) + " " + what +
                " inlier flags for " + std::to_string(residuals.size()) + " residuals");
  }
  ResidualSummary summary;
  summary.count = static_cast<int>(residuals.size());
  double sum_sq = 0;
  std::vector<double> abs_residuals;
  abs_residuals.reserve(residuals.size());
  for (double r : residuals) {
    sum_sq += r * r;
    abs_residuals.push_back(std::abs(r));
  }
  summary.rms = std::sqrt(sum_sq / residuals.size());
  summary.median_abs = Median(std::move(abs_residuals));
  const auto inlier_count =
      std::count_if(inliers.begin(), inliers.end(), [](std::uint8_t f) { return f != 0; });
  summary.inlier_fraction =
      inliers.empty() ? 1.0 : static_cast<double>(inlier_count) / inliers.size();
  return summary;
}

void AddShadingStatistics(const FitObservations& observations, FitStatistics& stats) {
  const ShadingResiduals& shading = observations.shading;
  if (shading.residuals.empty()) return;
  const ResidualSummary summary = SummariseResiduals(shading.residuals, shading.inliers, "shading");
  stats.has_shading = true;
  stats.shading_samples = summary.count;
  stats.shading_rms = summary.rms;
  stats.shading_median_abs = summary.median_abs;
  stats.shading_inlier_fraction = summary.inlier_fraction;
}

void AddPhotometricStatistics(const FitResult& result, const FitObservations& observations,
                              FitStatistics& stats) {
  if (!observations.photo_residuals.empty()) {
    const ResidualSummary summary =
        SummariseResiduals(observations.photo_residuals, observations.photo_inliers, "photometric");
    stats.has_photometric = true;
    stats.photo_samples = summary.count;
    stats.photo_rms = summary.rms;
    stats.photo_median_abs = summary.median_abs;
    stats.photo_inlier_fraction = summary.inlier_fraction;
    return;
  }
  for (auto stage = result.stages.rbegin(); stage != result.stages.rend(); ++stage) {
    if (stage->photo_samples <= 0) continue;
    stats.has_photometric = true;
    stats.photo_samples = stage->photo_samples;
    stats.photo_rms = stage->photo_rms;
    stats.photo_median_abs = stage->photo_median_abs;
    stats.photo_inlier_fraction = stage->photo_inlier_fraction;
    return;
  }
}

void CheckCoefficientCount(const Eigen::VectorXd& coefficients, const model::LinearBasis& basis,
                           const char* what) {
  if (coefficients.size() > basis.num_components()) {
    throw Error(std::string("fit statistics: ") + std::to_string(coefficients.size()) + " " + what +
                " coefficients for a model with " + std::to_string(basis.num_components()));
  }
}

double MaxAbs(const Eigen::VectorXd& v) { return v.size() == 0 ? 0.0 : v.cwiseAbs().maxCoeff(); }

void AddCoefficientStatistics(const model::MorphableModel& model, const FitResult& result,
                              FitStatistics& stats) {
  CheckCoefficientCount(result.shape_coefficients, model.shape, "shape");
  CheckCoefficientCount(result.expression_coefficients, model.expression, "expression");
  stats.shape_mahalanobis = result.shape_coefficients.norm();
  stats.expression_mahalanobis = result.expression_coefficients.norm();
  stats.max_abs_shape_coefficient = MaxAbs(result.shape_coefficients);
  stats.max_abs_expression_coefficient = MaxAbs(result.expression_coefficients);
  stats.max_abs_coefficient =
      std::max(stats.max_abs_shape_coefficient, stats.max_abs_expression_coefficient);
}

bool InsideImage(const Eigen::Vector2d& p, const render::Camera& camera) {
  return p.x() >= -0.5 && p.y() >= -0.5 && p.x() <= camera.width - 0.5 &&
         p.y() <= camera.height - 0.5;
}

void AddVisibleFraction(const model::MorphableModel& model, const FitResult& result,
                        const FitObservations& observations, FitStatistics& stats) {
  const auto& reported = observations.triangle_visible;
  if (!reported.empty() && static_cast<int>(reported.size()) != model.num_triangles()) {
    throw Error("fit statistics: visibility for " + std::to_string(reported.size()) +
                " triangles, the model has " + std::to_string(model.num_triangles()));
  }
  const Eigen::Matrix3Xd vertices =
      model.InstanceVertices(result.shape_coefficients, result.expression_coefficients);
  const render::Camera& camera = result.camera;
  double total_area = 0;
  double visible_area = 0;
  for (int t = 0; t < model.num_triangles(); ++t) {
    const Eigen::Vector3i& tri = model.triangles[t];
    const Eigen::Vector3d a = vertices.col(tri[0]), b = vertices.col(tri[1]),
                          c = vertices.col(tri[2]);
    const Eigen::Vector3d cross = (b - a).cross(c - a);
    const double area = 0.5 * cross.norm();
    total_area += area;
    bool visible;
    if (!reported.empty()) {
      visible = reported[t] != 0;
    } else {
      const Eigen::Vector3d ca = camera.ToCamera(a), cb = camera.ToCamera(b),
                            cc = camera.ToCamera(c);
      // Counter-clockwise from outside: the outward normal points towards the camera centre.
      const Eigen::Vector3d normal = (cb - ca).cross(cc - ca);
      visible = ca.z() > 0 && cb.z() > 0 && cc.z() > 0 && normal.dot(ca) < 0 &&
                InsideImage(camera.Project(ca), camera) &&
                InsideImage(camera.Project(cb), camera) && InsideImage(camera.Project(cc), camera);
    }
    if (visible) visible_area += area;
  }
  stats.visible_fraction = total_area > 0 ? visible_area / total_area : 0.0;
}

}  // namespace

const char* FaceRegionName(FaceRegion region) {
  switch (region) {
    case FaceRegion::kJaw:
      return "jaw";
    case FaceRegion::kBrows:
      return "brows";
    case FaceRegion::kNose:
      return "nose";
    case FaceRegion::kEyes:
      return "eyes";
    case FaceRegion::kMouth:
      return "mouth";
  }
  return "unknown";
}

FaceRegion RegionOfLandmark(int landmark) {
  if (landmark < 17) return FaceRegion::kJaw;
  if (landmark < 27) return FaceRegion::kBrows;
  if (landmark < 36) return FaceRegion::kNose;
  if (landmark < 48) return FaceRegion::kEyes;
  return FaceRegion::kMouth;
}

FitStatistics ComputeFitStatistics(const model::MorphableModel& model, const FitResult& result,
                                   const Landmarks& input_landmarks,
                                   const FitObservations& observations) {
  if (result.camera.width <= 0 || result.camera.height <= 0) {
    throw Error("fit statistics: the fitted camera has no image size");
  }
  FitStatistics stats;
  AddLandmarkStatistics(model, result, input_landmarks, stats);
  AddPhotometricStatistics(result, observations, stats);
  AddShadingStatistics(observations, stats);
  AddCoefficientStatistics(model, result, stats);
  const Eigen::Vector3d ypr =
      render::YawPitchRollFromRotation(result.camera.rotation) * kDegreesPerRadian;
  stats.yaw_deg = ypr.x();
  stats.pitch_deg = ypr.y();
  stats.roll_deg = ypr.z();
  stats.focal_px = result.camera.focal;
  AddVisibleFraction(model, result, observations, stats);
  for (const StageStatistics& stage : result.stages) {
    StageSummary summary;
    summary.name = stage.name;
    summary.termination = stage.termination;
    summary.iterations = stage.iterations;
    summary.initial_cost = stage.initial_cost;
    summary.final_cost = stage.final_cost;
    summary.cost_reduction =
        stage.initial_cost > 0 ? 1.0 - stage.final_cost / stage.initial_cost : 0.0;
    stats.stages.push_back(summary);
  }
  return stats;
}

}  // namespace morphfit::solver
