#pragma once

// Statistics of one finished fit, computed from its residuals and state; the quality rule
// (quality_rule.h) decides from them, fit.json records them, morphfit-eval calibrates on them.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/solver/fit_types.h"
#include "morphfit/solver/shading_residuals.h"

namespace morphfit::solver {

// The iBUG-68 regions landmark errors are broken down by (0-based ranges: jaw 0-16, brows 17-26,
// nose 27-35, eyes 36-47, mouth 48-67).
enum class FaceRegion { kJaw = 0, kBrows, kNose, kEyes, kMouth };
inline constexpr int kNumFaceRegions = 5;
const char* FaceRegionName(FaceRegion region);
FaceRegion RegionOfLandmark(int landmark);  // 0-based iBUG index

struct RegionLandmarkError {
  int count = 0;  // landmarks of the region the model maps
  double rms_px = 0;
  double rms_nme = 0;  // rms_px / outer-eye-corner distance of the input landmarks
};

// What a stage of the schedule did, reduced to what the rule and a reader need.
struct StageSummary {
  std::string name;
  std::string termination;
  int iterations = 0;
  double initial_cost = 0;
  double final_cost = 0;
  double cost_reduction = 0;  // 1 - final / initial; 0 when the initial cost is 0
};

struct FitStatistics {
  // Landmarks: fitted model landmarks against the input, over the landmarks the fit used
  // (FitResult::landmark_in_fit; when none is marked, the 66 the SFM maps), in pixels and
  // normalised by the input's outer-eye-corner distance.
  int landmarks_used = 0;
  double eye_corner_distance_px = 0;
  double landmark_rms_px = 0;
  double landmark_max_px = 0;
  double landmark_rms_nme = 0;
  double landmark_max_nme = 0;
  std::array<RegionLandmarkError, kNumFaceRegions> regions{};
  double worst_region_nme = 0;  // largest regional rms_nme

  // Photometric residuals of the final photometric evaluation; has_photometric is false when the
  // fit had no photometric stage.
  bool has_photometric = false;
  int photo_samples = 0;
  double photo_rms = 0;
  double photo_median_abs = 0;
  double photo_inlier_fraction = 0;

  // Shading consistency of the image under the fitted geometry (shading_residuals.h), for every
  // fit whose caller rendered it; has_shading is false otherwise.
  bool has_shading = false;
  int shading_samples = 0;  // residuals (3 per pixel)
  double shading_rms = 0;
  double shading_median_abs = 0;
  double shading_inlier_fraction = 0;

  // Coefficient plausibility. Coefficients are in standard-deviation units (fit_types.h), so the
  // Mahalanobis norm under the model's Gaussian prior is the Euclidean norm.
  double shape_mahalanobis = 0;
  double expression_mahalanobis = 0;
  double max_abs_shape_coefficient = 0;
  double max_abs_expression_coefficient = 0;
  double max_abs_coefficient = 0;  // the larger of the two

  // Pose in degrees (render::YawPitchRollFromRotation) and the face size in pixels: the square
  // root of the area of the bounding box of the fitted (projected) mapped landmarks.
  double yaw_deg = 0;
  double pitch_deg = 0;
  double roll_deg = 0;
  double face_size_px = 0;
  double focal_px = 0;

  // Share of the model surface (area-weighted over triangles) that the camera sees: triangles
  // that face the camera and project inside the image, or those the renderer reports visible.
  double visible_fraction = 0;

  std::vector<StageSummary> stages;
};

// Optional per-sample and visibility information the fit or the renderer can hand over.
struct FitObservations {
  // Photometric residuals of the final evaluation (any consistent unit, e.g. intensity in
  // [0, 1] per channel) and, of the same length or empty for "all inliers", the robust loss's
  // inlier flags. When empty, the last photometric stage's StageStatistics are used.
  std::vector<double> photo_residuals;
  std::vector<std::uint8_t> photo_inliers;
  // ComputeShadingResiduals of the image and the rendered fit; empty when not computed.
  ShadingResiduals shading;
  // Per-triangle visibility from a render (1 = some pixel shows it). When empty, a triangle
  // counts as visible if it faces the camera and its three vertices project inside the image.
  std::vector<std::uint8_t> triangle_visible;
};

// Throws morphfit::Error when the fit's coefficients or the observations disagree in size with
// the model, or when the camera has no image size.
FitStatistics ComputeFitStatistics(const model::MorphableModel& model, const FitResult& result,
                                   const Landmarks& input_landmarks,
                                   const FitObservations& observations = {});

}  // namespace morphfit::solver
