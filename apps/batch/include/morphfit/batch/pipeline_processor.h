#pragma once

#include <map>
#include <string>

#include "morphfit/batch/image_job.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/pipeline/fit_image.h"

namespace morphfit::batch {

// The batch's ImageProcessor on the real per-image pipeline (pipeline::FitImage): one model,
// loaded once and shared read-only by every worker thread; each call reads its image, fits,
// renders and writes the image's output folder (replacing one an interrupted run left).
class PipelineProcessor {
 public:
  // `model` must outlive the processor. `landmark_source` finds landmarks for images that have
  // none (detection); without one such images fail (the pipeline says why).
  PipelineProcessor(const model::MorphableModel& model, const pipeline::PipelineOptions& options,
                    pipeline::LandmarkSource landmark_source = nullptr);

  ImageOutcome operator()(const ImageJob& job, const std::string& output_dir) const;

 private:
  const model::MorphableModel& model_;
  pipeline::PipelineOptions options_;
  pipeline::LandmarkSource landmark_source_;
};

// The results.csv statistics of one fit (keys of StatisticColumns()).
std::map<std::string, double> KeyStatistics(const pipeline::ImageResult& result);

// "verdict" and "reasons" of a fit.json (reasons as their short names, each once). Throws
// morphfit::Error naming the file when it cannot be read or lacks them.
void ReadVerdict(const std::string& fit_json_path, std::string& verdict,
                 std::vector<std::string>& reasons);

}  // namespace morphfit::batch
