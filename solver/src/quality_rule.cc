#include "morphfit/solver/quality_rule.h"

#include <cmath>

#include "morphfit/model/error.h"

namespace morphfit::solver {
namespace {

bool IsFraction(double value) { return value >= 0 && value <= 1; }

}  // namespace

const std::vector<QualityThreshold>& QualityThresholds() {
  static const std::vector<QualityThreshold> thresholds = {
      {"max_landmark_nme", "landmark_rms_nme", &QualityRule::max_landmark_nme},
      {"max_landmark_max_nme", "landmark_max_nme", &QualityRule::max_landmark_max_nme},
      {"max_region_nme", "worst_region_nme", &QualityRule::max_region_nme},
      {"max_photo_rms", "photo_rms", &QualityRule::max_photo_rms},
      {"max_photo_median_abs", "photo_median_abs", &QualityRule::max_photo_median_abs},
      {"min_photo_inliers", "photo_inlier_fraction", &QualityRule::min_photo_inliers},
      {"max_shading_rms", "shading_rms", &QualityRule::max_shading_rms},
      {"max_shading_median_abs", "shading_median_abs", &QualityRule::max_shading_median_abs},
      {"min_shading_inliers", "shading_inlier_fraction", &QualityRule::min_shading_inliers},
      {"max_shape_mahalanobis", "shape_mahalanobis", &QualityRule::max_shape_mahalanobis},
      {"max_expression_mahalanobis", "expression_mahalanobis",
       &QualityRule::max_expression_mahalanobis},
      {"max_abs_coefficient", "max_abs_coefficient", &QualityRule::max_abs_coefficient},
      {"max_abs_yaw", "abs_yaw_deg", &QualityRule::max_abs_yaw},
      {"max_abs_pitch", "abs_pitch_deg", &QualityRule::max_abs_pitch},
      {"max_abs_roll", "abs_roll_deg", &QualityRule::max_abs_roll},
      {"min_face_size", "face_size_px", &QualityRule::min_face_size},
      {"min_visible_fraction", "visible_fraction", &QualityRule::min_visible_fraction},
  };
  return thresholds;
}

void QualityRule::Validate() const {
  for (const QualityThreshold& threshold : QualityThresholds()) {
    const double value = this->*threshold.field;
    const std::string what =
        std::string("quality rule: --") + threshold.option + "=" + std::to_string(value);
    if (std::isnan(value)) throw Error(what + " is not a number");
    // Every statistic is non-negative; a finite negative threshold is a mistake (-inf is off).
    if (std::isfinite(value) && value < 0) throw Error(what + " must not be negative");
  }
  for (double fraction : {min_photo_inliers, min_shading_inliers, min_visible_fraction}) {
    if (std::isfinite(fraction) && !IsFraction(fraction)) {
      throw Error("quality rule: fraction thresholds must lie in [0, 1], got " +
                  std::to_string(fraction));
    }
  }
  if (!(outlier_k >= 0) || !std::isfinite(outlier_k)) {
    throw Error("quality rule: --outlier_k=" + std::to_string(outlier_k) +
                " must be a finite number >= 0 (0 switches the batch rule off)");
  }
  if (outlier_min_batch < 3) {
    throw Error("quality rule: --outlier_min_batch=" + std::to_string(outlier_min_batch) +
                " must be at least 3");
  }
  for (const std::string& name : outlier_statistics) FindQualityStatistic(name);
}

const char* VerdictName(Verdict verdict) { return verdict == Verdict::kKept ? "kept" : "rejected"; }

bool Fires(double value, double threshold, Worse worse) {
  if (!std::isfinite(threshold)) return false;
  if (!std::isfinite(value)) return true;
  return worse == Worse::kHigher ? value >= threshold : value <= threshold;
}

const char* FiringComparison(double value, Worse worse) {
  if (!std::isfinite(value)) return "not finite";
  return worse == Worse::kHigher ? ">=" : "<=";
}

Quality Assess(const FitStatistics& statistics, const QualityRule& rule) {
  rule.Validate();
  Quality quality;
  for (const QualityThreshold& threshold : QualityThresholds()) {
    const QualityStatistic& statistic = FindQualityStatistic(threshold.statistic);
    const std::optional<double> value = statistic.value(statistics);
    const double limit = rule.*threshold.field;
    if (!value || !Fires(*value, limit, statistic.worse)) continue;
    quality.reasons.push_back({threshold.option, statistic.name, *value, limit,
                               FiringComparison(*value, statistic.worse)});
  }
  if (rule.reject_solver_failure) {
    for (const StageSummary& stage : statistics.stages) {
      if (stage.termination != "FAILURE" && stage.termination != "USER_FAILURE") continue;
      quality.reasons.push_back(
          {"reject_solver_failure", "stage " + stage.name + ": " + stage.termination, 1, 1, "=="});
    }
  }
  return quality;
}

}  // namespace morphfit::solver
