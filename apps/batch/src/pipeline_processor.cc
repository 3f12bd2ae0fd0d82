#include "morphfit/batch/pipeline_processor.h"

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "morphfit/model/error.h"
#include "morphfit/render/camera.h"

namespace morphfit::batch {

namespace {
constexpr double kDegreesPerRadian = 180.0 / 3.14159265358979323846;

// A reason of fit.json as its short name: a string ("max_abs_yaw: 47.1 > 45") up to its first
// ':' or blank, or an object's "name" / "rule".
std::string ReasonName(const nlohmann::json& reason) {
  if (reason.is_string()) {
    const std::string text = reason.get<std::string>();
    return text.substr(0, text.find_first_of(": "));
  }
  for (const char* key : {"name", "rule", "statistic"}) {
    if (reason.is_object() && reason.contains(key) && reason[key].is_string()) {
      return reason[key].get<std::string>();
    }
  }
  return reason.dump();
}
}  // namespace

PipelineProcessor::PipelineProcessor(const model::MorphableModel& model,
                                     const pipeline::PipelineOptions& options,
                                     pipeline::LandmarkSource landmark_source)
    : model_(model), options_(options), landmark_source_(std::move(landmark_source)) {
  // A folder left by a run killed before it recorded the image is replaced, not an error.
  options_.overwrite = true;
  options_.Validate();
}

ImageOutcome PipelineProcessor::operator()(const ImageJob& job,
                                           const std::string& output_dir) const {
  pipeline::ImageInput input;
  input.image_path = job.image_path;
  input.landmarks_path = job.landmarks_path;
  input.landmarks = job.landmarks;
  input.landmarks_origin = job.source;
  const pipeline::ImageResult result =
      pipeline::FitImage(model_, input, output_dir, options_, landmark_source_);
  ImageOutcome outcome;
  outcome.statistics = KeyStatistics(result);
  ReadVerdict(output_dir + "/fit.json", outcome.verdict, outcome.reasons);
  return outcome;
}

std::map<std::string, double> KeyStatistics(const pipeline::ImageResult& result) {
  std::map<std::string, double> statistics;
  const solver::FitResult& fit = result.fit;
  if (!fit.stages.empty()) {
    const solver::StageStatistics& last = fit.stages.back();
    statistics["landmark_nme"] = last.landmark_rms_nme;
    statistics["landmark_rms_px"] = last.landmark_rms_px;
    if (last.photo_samples > 0) {
      statistics["photo_rms"] = last.photo_rms;
      statistics["photo_inlier_fraction"] = last.photo_inlier_fraction;
    }
  }
  // Coefficients are in standard deviations, so their norm is the Mahalanobis norm.
  statistics["shape_mahalanobis"] = fit.shape_coefficients.norm();
  statistics["expression_mahalanobis"] = fit.expression_coefficients.norm();
  const Eigen::Vector3d angles = render::YawPitchRollFromRotation(fit.camera.rotation);
  statistics["yaw_deg"] = angles.x() * kDegreesPerRadian;
  statistics["pitch_deg"] = angles.y() * kDegreesPerRadian;
  statistics["roll_deg"] = angles.z() * kDegreesPerRadian;
  // The larger side of the input landmarks' bounding box.
  const Eigen::Vector2d extent =
      result.input_landmarks.colwise().maxCoeff() - result.input_landmarks.colwise().minCoeff();
  statistics["face_size_px"] = extent.maxCoeff();
  return statistics;
}

void ReadVerdict(const std::string& fit_json_path, std::string& verdict,
                 std::vector<std::string>& reasons) {
  std::ifstream stream(fit_json_path);
  if (!stream) throw FileError(fit_json_path, "cannot open");
  try {
    const nlohmann::json json = nlohmann::json::parse(stream);
    verdict = json.at("verdict").get<std::string>();
    reasons.clear();
    for (const nlohmann::json& reason : json.at("reasons")) reasons.push_back(ReasonName(reason));
  } catch (const nlohmann::json::exception& e) {
    throw FileError(fit_json_path, std::string("no verdict and reasons: ") + e.what());
  }
}

}  // namespace morphfit::batch
