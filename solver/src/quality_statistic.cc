#include "morphfit/solver/quality_statistic.h"

#include <cmath>

#include "morphfit/model/error.h"

namespace morphfit::solver {
namespace {

std::optional<double> Photometric(const FitStatistics& s, double value) {
  if (!s.has_photometric) return std::nullopt;
  return value;
}

std::optional<double> Shading(const FitStatistics& s, double value) {
  if (!s.has_shading) return std::nullopt;
  return value;
}

}  // namespace

const std::vector<QualityStatistic>& QualityStatistics() {
  static const std::vector<QualityStatistic> statistics = {
      {"landmark_rms_nme", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return s.landmark_rms_nme; }},
      {"landmark_max_nme", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return s.landmark_max_nme; }},
      {"worst_region_nme", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return s.worst_region_nme; }},
      {"photo_rms", Worse::kHigher,
       [](const FitStatistics& s) { return Photometric(s, s.photo_rms); }},
      {"photo_median_abs", Worse::kHigher,
       [](const FitStatistics& s) { return Photometric(s, s.photo_median_abs); }},
      {"photo_inlier_fraction", Worse::kLower,
       [](const FitStatistics& s) { return Photometric(s, s.photo_inlier_fraction); }},
      {"shading_rms", Worse::kHigher,
       [](const FitStatistics& s) { return Shading(s, s.shading_rms); }},
      {"shading_median_abs", Worse::kHigher,
       [](const FitStatistics& s) { return Shading(s, s.shading_median_abs); }},
      {"shading_inlier_fraction", Worse::kLower,
       [](const FitStatistics& s) { return Shading(s, s.shading_inlier_fraction); }},
      {"shape_mahalanobis", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return s.shape_mahalanobis; }},
      {"expression_mahalanobis", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return s.expression_mahalanobis; }},
      {"max_abs_coefficient", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return s.max_abs_coefficient; }},
      {"abs_yaw_deg", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return std::abs(s.yaw_deg); }},
      {"abs_pitch_deg", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return std::abs(s.pitch_deg); }},
      {"abs_roll_deg", Worse::kHigher,
       [](const FitStatistics& s) -> std::optional<double> { return std::abs(s.roll_deg); }},
      {"face_size_px", Worse::kLower,
       [](const FitStatistics& s) -> std::optional<double> { return s.face_size_px; }},
      {"visible_fraction", Worse::kLower,
       [](const FitStatistics& s) -> std::optional<double> { return s.visible_fraction; }},
  };
  return statistics;
}

const QualityStatistic& FindQualityStatistic(const std::string& name) {
  std::string known;
  for (const QualityStatistic& statistic : QualityStatistics()) {
    if (name == statistic.name) return statistic;
    known += (known.empty() ? "" : ", ") + std::string(statistic.name);
  }
  throw Error("unknown quality statistic '" + name + "' (known: " + known + ")");
}

}  // namespace morphfit::solver
