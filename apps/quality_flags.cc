#include "quality_flags.h"

#include <cstdlib>
#include <sstream>
#include <string>

#include <gflags/gflags.h>

#include "morphfit/model/error.h"

namespace {
const morphfit::solver::QualityRule kDefaults;
}  // namespace

// Thresholds: each is the first rejected value; inf (max_*) or -inf (min_*) switches a test off.
// docs/quality.md says what each statistic measures and how the defaults were calibrated.
DEFINE_double(max_landmark_nme, kDefaults.max_landmark_nme,
              "Reject when the RMS landmark error / outer-eye-corner distance is at or above this");
DEFINE_double(max_landmark_max_nme, kDefaults.max_landmark_max_nme,
              "Reject when the largest landmark error / eye distance is at or above this");
DEFINE_double(
    max_region_nme, kDefaults.max_region_nme,
    "Reject when the worst region's (jaw, brows, nose, eyes, mouth) RMS NME reaches this");
DEFINE_double(max_photo_rms, kDefaults.max_photo_rms,
              "Reject when the photometric stage's RMS residual (intensity) reaches this");
DEFINE_double(max_photo_median_abs, kDefaults.max_photo_median_abs,
              "Reject when the photometric stage's median |residual| reaches this");
DEFINE_double(min_photo_inliers, kDefaults.min_photo_inliers,
              "Reject when the photometric inlier fraction is at or below this");
DEFINE_double(max_shading_rms, kDefaults.max_shading_rms,
              "Reject when the RMS residual of SH shading fitted to the image over the fitted face "
              "reaches this (intensity in [0, 1])");
DEFINE_double(max_shading_median_abs, kDefaults.max_shading_median_abs,
              "Reject when the shading residual's median |r| reaches this");
DEFINE_double(min_shading_inliers, kDefaults.min_shading_inliers,
              "Reject when the shading residual's inlier fraction is at or below this");
DEFINE_double(max_shape_mahalanobis, kDefaults.max_shape_mahalanobis,
              "Reject when the shape coefficients' Mahalanobis norm reaches this");
DEFINE_double(max_expression_mahalanobis, kDefaults.max_expression_mahalanobis,
              "Reject when the expression coefficients' norm (std units / blendshape weights) "
              "reaches this");
DEFINE_double(max_abs_coefficient, kDefaults.max_abs_coefficient,
              "Reject when any single coefficient's magnitude (std units) reaches this");
DEFINE_double(max_abs_yaw, kDefaults.max_abs_yaw, "Reject when |yaw| (degrees) reaches this");
DEFINE_double(max_abs_pitch, kDefaults.max_abs_pitch, "Reject when |pitch| (degrees) reaches this");
DEFINE_double(max_abs_roll, kDefaults.max_abs_roll, "Reject when |roll| (degrees) reaches this");
DEFINE_double(
    min_face_size, kDefaults.min_face_size,
    "Reject when the fitted landmarks' box (sqrt of its area, pixels) is at or below this");
DEFINE_double(min_visible_fraction, kDefaults.min_visible_fraction,
              "Reject when the share of the face surface seen by the camera is at or below this");
DEFINE_bool(reject_solver_failure, kDefaults.reject_solver_failure,
            "Reject when a stage's Ceres solve ended in FAILURE");
DEFINE_double(outlier_k, kDefaults.outlier_k,
              "Batch rule: reject a fit whose statistic is beyond median + k * scaled MAD of its "
              "batch (0: off). morphfit-batch applies it after the fits, or at --merge for a "
              "sharded run; a single fit has no batch");
DEFINE_int32(outlier_min_batch, kDefaults.outlier_min_batch,
             "Batch rule: smallest batch the rule applies to");
DEFINE_string(
    outlier_statistics,
    [] {
      std::string names;
      for (const auto& n : kDefaults.outlier_statistics) {
        names += (names.empty() ? "" : ",") + n;
      }
      return names;
    }(),
    "Batch rule: comma-separated statistics it tests");

namespace morphfit::apps {

solver::QualityRule QualityRuleFromFlags() {
  solver::QualityRule rule;
  // Read through the threshold table so that a threshold without its flag cannot go unnoticed.
  for (const solver::QualityThreshold& threshold : solver::QualityThresholds()) {
    std::string text;
    if (!gflags::GetCommandLineOption(threshold.option, &text)) {
      throw Error(std::string("quality rule: no flag --") + threshold.option);
    }
    char* end = nullptr;
    rule.*threshold.field = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0') {
      throw Error(std::string("quality rule: --") + threshold.option + "=" + text +
                  " is not a number");
    }
  }
  rule.reject_solver_failure = FLAGS_reject_solver_failure;
  rule.outlier_k = FLAGS_outlier_k;
  rule.outlier_min_batch = FLAGS_outlier_min_batch;
  rule.outlier_statistics.clear();
  std::stringstream names(FLAGS_outlier_statistics);
  for (std::string name; std::getline(names, name, ',');) {
    if (!name.empty()) rule.outlier_statistics.push_back(name);
  }
  rule.Validate();
  return rule;
}

}  // namespace morphfit::apps
