#include "morphfit/solver/quality_json.h"

#include <cmath>
#include <limits>

#include "morphfit/model/error.h"

namespace morphfit::solver {
namespace {

using json = nlohmann::ordered_json;

json Number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

double ReadNumber(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) throw Error(std::string("fit statistics JSON: missing \"") + key + "\"");
  if (it->is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!it->is_number()) {
    throw Error(std::string("fit statistics JSON: \"") + key + "\" is not a number");
  }
  return it->get<double>();
}

int ReadInt(const json& object, const char* key) {
  const double value = ReadNumber(object, key);
  if (!std::isfinite(value) || value != std::floor(value)) {
    throw Error(std::string("fit statistics JSON: \"") + key + "\" is not an integer");
  }
  return static_cast<int>(value);
}

const json& ReadObject(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_object()) {
    throw Error(std::string("fit statistics JSON: missing object \"") + key + "\"");
  }
  return *it;
}

// Photometric and shading residual summaries share one form; null when absent.
json ResidualsJson(bool present, int samples, double rms, double median_abs,
                   double inlier_fraction) {
  if (!present) return nullptr;
  return {{"samples", samples},
          {"rms", Number(rms)},
          {"median_abs", Number(median_abs)},
          {"inlier_fraction", Number(inlier_fraction)}};
}

void ReadResiduals(const json& object, const char* key, bool& present, int& samples, double& rms,
                   double& median_abs, double& inlier_fraction) {
  const auto it = object.find(key);
  present = it != object.end() && it->is_object();
  if (!present) return;
  samples = ReadInt(*it, "samples");
  rms = ReadNumber(*it, "rms");
  median_abs = ReadNumber(*it, "median_abs");
  inlier_fraction = ReadNumber(*it, "inlier_fraction");
}

}  // namespace

json ToJson(const FitStatistics& s) {
  json regions = json::object();
  for (int r = 0; r < kNumFaceRegions; ++r) {
    const RegionLandmarkError& region = s.regions[r];
    regions[FaceRegionName(static_cast<FaceRegion>(r))] = {{"count", region.count},
                                                           {"rms_px", Number(region.rms_px)},
                                                           {"rms_nme", Number(region.rms_nme)}};
  }
  json stages = json::array();
  for (const StageSummary& stage : s.stages) {
    stages.push_back({{"name", stage.name},
                      {"termination", stage.termination},
                      {"iterations", stage.iterations},
                      {"initial_cost", Number(stage.initial_cost)},
                      {"final_cost", Number(stage.final_cost)},
                      {"cost_reduction", Number(stage.cost_reduction)}});
  }
  json out = {
      {"landmarks",
       {{"used", s.landmarks_used},
        {"eye_corner_distance_px", Number(s.eye_corner_distance_px)},
        {"rms_px", Number(s.landmark_rms_px)},
        {"max_px", Number(s.landmark_max_px)},
        {"rms_nme", Number(s.landmark_rms_nme)},
        {"max_nme", Number(s.landmark_max_nme)},
        {"worst_region_nme", Number(s.worst_region_nme)},
        {"regions", regions}}},
      {"coefficients",
       {{"shape_mahalanobis", Number(s.shape_mahalanobis)},
        {"expression_mahalanobis", Number(s.expression_mahalanobis)},
        {"max_abs_shape", Number(s.max_abs_shape_coefficient)},
        {"max_abs_expression", Number(s.max_abs_expression_coefficient)},
        {"max_abs", Number(s.max_abs_coefficient)}}},
      {"pose",
       {{"yaw_deg", Number(s.yaw_deg)},
        {"pitch_deg", Number(s.pitch_deg)},
        {"roll_deg", Number(s.roll_deg)},
        {"face_size_px", Number(s.face_size_px)},
        {"focal_px", Number(s.focal_px)}}},
      {"visible_fraction", Number(s.visible_fraction)},
      {"stages", stages},
  };
  out["photometric"] = ResidualsJson(s.has_photometric, s.photo_samples, s.photo_rms,
                                     s.photo_median_abs, s.photo_inlier_fraction);
  out["shading"] = ResidualsJson(s.has_shading, s.shading_samples, s.shading_rms,
                                 s.shading_median_abs, s.shading_inlier_fraction);
  return out;
}

FitStatistics FitStatisticsFromJson(const json& in) {
  if (!in.is_object()) throw Error("fit statistics JSON: not an object");
  FitStatistics s;
  const json& landmarks = ReadObject(in, "landmarks");
  s.landmarks_used = ReadInt(landmarks, "used");
  s.eye_corner_distance_px = ReadNumber(landmarks, "eye_corner_distance_px");
  s.landmark_rms_px = ReadNumber(landmarks, "rms_px");
  s.landmark_max_px = ReadNumber(landmarks, "max_px");
  s.landmark_rms_nme = ReadNumber(landmarks, "rms_nme");
  s.landmark_max_nme = ReadNumber(landmarks, "max_nme");
  s.worst_region_nme = ReadNumber(landmarks, "worst_region_nme");
  const json& regions = ReadObject(landmarks, "regions");
  for (int r = 0; r < kNumFaceRegions; ++r) {
    const json& region = ReadObject(regions, FaceRegionName(static_cast<FaceRegion>(r)));
    s.regions[r].count = ReadInt(region, "count");
    s.regions[r].rms_px = ReadNumber(region, "rms_px");
    s.regions[r].rms_nme = ReadNumber(region, "rms_nme");
  }
  const json& coefficients = ReadObject(in, "coefficients");
  s.shape_mahalanobis = ReadNumber(coefficients, "shape_mahalanobis");
  s.expression_mahalanobis = ReadNumber(coefficients, "expression_mahalanobis");
  s.max_abs_shape_coefficient = ReadNumber(coefficients, "max_abs_shape");
  s.max_abs_expression_coefficient = ReadNumber(coefficients, "max_abs_expression");
  s.max_abs_coefficient = ReadNumber(coefficients, "max_abs");
  const json& pose = ReadObject(in, "pose");
  s.yaw_deg = ReadNumber(pose, "yaw_deg");
  s.pitch_deg = ReadNumber(pose, "pitch_deg");
  s.roll_deg = ReadNumber(pose, "roll_deg");
  s.face_size_px = ReadNumber(pose, "face_size_px");
  s.focal_px = ReadNumber(pose, "focal_px");
  s.visible_fraction = ReadNumber(in, "visible_fraction");
  ReadResiduals(in, "photometric", s.has_photometric, s.photo_samples, s.photo_rms,
                s.photo_median_abs, s.photo_inlier_fraction);
  ReadResiduals(in, "shading", s.has_shading, s.shading_samples, s.shading_rms,
                s.shading_median_abs, s.shading_inlier_fraction);
  const auto stages = in.find("stages");
  if (stages == in.end() || !stages->is_array()) {
    throw Error("fit statistics JSON: missing array \"stages\"");
  }
  for (const json& stage : *stages) {
    StageSummary summary;
    summary.name = stage.value("name", "");
    summary.termination = stage.value("termination", "");
    summary.iterations = ReadInt(stage, "iterations");
    summary.initial_cost = ReadNumber(stage, "initial_cost");
    summary.final_cost = ReadNumber(stage, "final_cost");
    summary.cost_reduction = ReadNumber(stage, "cost_reduction");
    s.stages.push_back(summary);
  }
  return s;
}

namespace {
// The batch part of the rule, in "quality"."rule".
void WriteBatchRule(const QualityRule& rule, json& out) {
  out["outlier_k"] = rule.outlier_k;
  out["outlier_min_batch"] = rule.outlier_min_batch;
  out["outlier_statistics"] = rule.outlier_statistics;
}
}  // namespace

json ToJson(const QualityRule& rule) {
  json out = json::object();
  for (const QualityThreshold& threshold : QualityThresholds()) {
    out[threshold.option] = Number(rule.*threshold.field);
  }
  out["reject_solver_failure"] = rule.reject_solver_failure;
  WriteBatchRule(rule, out);
  return out;
}

json ToJson(const QualityReason& reason) {
  return {{"name", reason.name},
          {"statistic", reason.statistic},
          {"value", Number(reason.value)},
          {"threshold", Number(reason.threshold)},
          {"comparison", reason.comparison}};
}

json ToJson(const BatchLimit& limit) {
  return {{"statistic", limit.statistic},
          {"count", limit.count},
          {"median", Number(limit.median)},
          {"scaled_mad", Number(limit.scaled_mad)},
          {"limit", Number(limit.limit)}};
}

void RecordQuality(const FitStatistics& statistics, const QualityRule& rule, const Quality& quality,
                   json& fit_json) {
  fit_json["verdict"] = VerdictName(quality.verdict());
  json reasons = json::array();
  for (const QualityReason& reason : quality.reasons) reasons.push_back(ToJson(reason));
  fit_json["reasons"] = reasons;
  fit_json["quality"] = {{"statistics", ToJson(statistics)}, {"rule", ToJson(rule)}};
}

void RecordBatchOutliers(const FitStatistics& statistics, const QualityRule& rule,
                         const std::vector<BatchLimit>& limits, int batch_fits, json& fit_json) {
  const auto reasons_in = fit_json.find("reasons");
  const auto quality = fit_json.find("quality");
  if (reasons_in == fit_json.end() || !reasons_in->is_array() || quality == fit_json.end() ||
      !quality->is_object() || !quality->contains("rule")) {
    throw Error("fit.json: no \"reasons\" and \"quality\" to record the batch rule in");
  }
  // The absolute rule's reasons stay as they were written; only the batch rule's are redone.
  json reasons = json::array();
  for (const json& reason : *reasons_in) {
    if (!(reason.is_object() && reason.value("name", "") == "outlier_k")) reasons.push_back(reason);
  }
  Quality outliers;
  AddBatchOutlierReasons(statistics, limits, outliers);
  for (const QualityReason& reason : outliers.reasons) {
    json entry = ToJson(reason);
    for (const BatchLimit& limit : limits) {
      if (limit.statistic != reason.statistic) continue;
      entry["median"] = Number(limit.median);
      entry["scaled_mad"] = Number(limit.scaled_mad);
      entry["count"] = limit.count;
      entry["k"] = rule.outlier_k;
    }
    reasons.push_back(entry);
  }
  fit_json["verdict"] =
      reasons.empty() ? VerdictName(Verdict::kKept) : VerdictName(Verdict::kRejected);
  fit_json["reasons"] = reasons;
  WriteBatchRule(rule, (*quality)["rule"]);
  if (rule.outlier_k == 0) {
    quality->erase("batch");
    return;
  }
  json limits_json = json::array();
  for (const BatchLimit& limit : limits) limits_json.push_back(ToJson(limit));
  (*quality)["batch"] = {
      {"outlier_k", rule.outlier_k}, {"fits", batch_fits}, {"limits", limits_json}};
}

}  // namespace morphfit::solver
