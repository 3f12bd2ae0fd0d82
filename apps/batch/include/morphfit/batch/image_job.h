#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "morphfit/model/landmarks.h"

namespace morphfit::batch {

// One image of a manifest, as the batch hands it to the per-image pipeline.
struct ImageJob {
  std::string image_path;        // where to read the image
  std::string relative_path;     // the image's path inside the dataset; the key of results.csv
  std::string output_relative;   // OUT/<output_relative>/ holds its outputs (relative path
                                 // without extension)
  std::string expression_class;  // see expression_class.h
  std::optional<Landmarks> landmarks;  // from the manifest row (0-based pixels)
  std::string landmarks_path;          // a sibling .pts file; empty with neither: detect
  std::string source;                  // "manifest.csv line 12", for error messages
  // Set when the manifest entry itself is unusable (malformed row, bad name, colliding output):
  // the job is recorded as failed with this message and never reaches the pipeline.
  std::string manifest_error;
};

// What the per-image pipeline reports back.
struct ImageOutcome {
  std::string verdict;               // "kept" or "rejected" (failures are thrown as exceptions)
  std::vector<std::string> reasons;  // short names of the rules that fired; empty when kept
  std::map<std::string, double> statistics;  // see kStatisticColumns in results_table.h
};

// Fits one image and writes its outputs into the folder `output_dir` (its parent exists), each
// file atomically, fit.json included. The folder may exist from a run that was interrupted before
// it recorded the image: replace it. Throws (morphfit::Error or any std::exception) when the image
// cannot be fitted; the batch records the message and goes on. Called from several threads at
// once: it must only share read-only state (the model).
using ImageProcessor =
    std::function<ImageOutcome(const ImageJob& job, const std::string& output_dir)>;

}  // namespace morphfit::batch
