#include "morphfit/synth/truth_comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "morphfit/model/error.h"
#include "morphfit/solver/landmark_statistics.h"
#include "morphfit/solver/robust_statistics.h"

namespace morphfit::synth {

std::array<bool, 68> MappedLandmarks(const model::MorphableModel& model) {
  std::array<bool, 68> mapped{};
  for (int i = 0; i < model::kNumIbugLandmarks; ++i) mapped[i] = !model.landmarks.IsUnmapped(i);
  return mapped;
}

TruthComparison CompareWithTruth(const render::Frame& truth, const render::Frame& fit_frame,
                                 const model::MorphableModel& model,
                                 const solver::FitResult& result, const Landmarks& true_landmarks) {
  if (truth.width != fit_frame.width || truth.height != fit_frame.height) {
    throw Error("truth comparison: the fit frame is " + std::to_string(fit_frame.width) + "x" +
                std::to_string(fit_frame.height) + ", the truth " + std::to_string(truth.width) +
                "x" + std::to_string(truth.height));
  }
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  TruthComparison comparison;
  std::vector<double> differences;
  double angle_sum = 0;
  int true_covered = 0;
  for (int i = 0; i < truth.num_pixels(); ++i) {
    if (!truth.Covered(i)) continue;
    ++true_covered;
    if (!fit_frame.Covered(i)) continue;
    differences.push_back(static_cast<double>(fit_frame.depth[i]) - truth.depth[i]);
    if (truth.has_normals() && fit_frame.has_normals()) {
      const double cosine =
          std::clamp(static_cast<double>(truth.Normal(i).dot(fit_frame.Normal(i))), -1.0, 1.0);
      angle_sum += std::acos(cosine);
    }
  }
  comparison.coverage =
      true_covered > 0 ? static_cast<double>(differences.size()) / true_covered : 0;
  if (differences.empty()) {
    comparison.depth_rmse_mm = comparison.depth_offset_mm = comparison.normal_error_deg = kNan;
  } else {
    comparison.depth_offset_mm = solver::Median(differences);
    double sum_sq = 0;
    for (double d : differences)
      sum_sq += (d - comparison.depth_offset_mm) * (d - comparison.depth_offset_mm);
    comparison.depth_rmse_mm = std::sqrt(sum_sq / differences.size());
    comparison.normal_error_deg = angle_sum / differences.size() * 180.0 / M_PI;
  }
  comparison.landmark_nme =
      solver::MeasureLandmarkErrors(true_landmarks, result.fitted_landmarks, MappedLandmarks(model))
          .rms_nme;
  return comparison;
}

}  // namespace morphfit::synth
