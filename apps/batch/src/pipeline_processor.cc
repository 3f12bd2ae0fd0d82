#include "morphfit/batch/pipeline_processor.h"

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "fit_json_verdict.h"
#include "morphfit/model/error.h"

namespace morphfit::batch {

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
  // fit.json holds the same decision; reading it back keeps the table and the file in step.
  ReadVerdict(output_dir + "/fit.json", outcome.verdict, outcome.reasons);
  return outcome;
}

std::map<std::string, double> KeyStatistics(const pipeline::ImageResult& result) {
  // The quality rule's statistics (solver/fit_statistics.h), the ones the decision reads.
  const solver::FitStatistics& statistics = result.statistics;
  std::map<std::string, double> key = {
      {"landmark_nme", statistics.landmark_rms_nme},
      {"landmark_rms_px", statistics.landmark_rms_px},
      {"shape_mahalanobis", statistics.shape_mahalanobis},
      {"expression_mahalanobis", statistics.expression_mahalanobis},
      {"yaw_deg", statistics.yaw_deg},
      {"pitch_deg", statistics.pitch_deg},
      {"roll_deg", statistics.roll_deg},
      {"face_size_px", statistics.face_size_px}};
  if (statistics.has_photometric) {
    key["photo_rms"] = statistics.photo_rms;
    key["photo_inlier_fraction"] = statistics.photo_inlier_fraction;
  }
  return key;
}

void ReadVerdict(const std::string& fit_json_path, std::string& verdict,
                 std::vector<std::string>& reasons) {
  std::ifstream stream(fit_json_path);
  if (!stream) throw FileError(fit_json_path, "cannot open");
  nlohmann::ordered_json json;
  try {
    json = nlohmann::ordered_json::parse(stream);
  } catch (const nlohmann::json::exception& e) {
    throw FileError(fit_json_path, std::string("not JSON: ") + e.what());
  }
  VerdictFromFitJson(json, fit_json_path, verdict, reasons);
}

}  // namespace morphfit::batch
