#pragma once

#include <functional>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/map_io.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/fit_statistics.h"
#include "morphfit/solver/photometric_options.h"
#include "morphfit/solver/quality_rule.h"

namespace morphfit::pipeline {

// One image to fit and where its landmarks come from, in order of precedence: `landmarks` (e.g. a
// parsed manifest row), `landmarks_path` (.pts, or .json), else the LandmarkSource given to
// FitImage (detection).
struct ImageInput {
  std::string image_path;
  std::string landmarks_path;
  std::optional<Landmarks> landmarks;
  // Names the landmark origin in messages and fit.json when `landmarks` is given directly
  // (e.g. "manifest.csv row 12").
  std::string landmarks_origin;
  // The pixels of image_path (8-bit BGR) when the caller has decoded them already, e.g. to detect
  // faces, so that the file is not decoded twice; empty: FitImage reads image_path.
  cv::Mat pixels;
};

// Supplies landmarks for an image that has none (the detection module plugs in here). Throws
// morphfit::Error naming `image_path` when it finds no face.
using LandmarkSource =
    std::function<Landmarks(const cv::Mat& image_bgr, const std::string& image_path)>;

// How far the fit goes: stages 1-2 (landmarks) or stages 1-3 (photometric).
enum class FitStages { kLandmarks, kPhotometric };
FitStages ParseFitStages(const std::string& name);  // "landmarks" | "photometric"
std::string FitStagesName(FitStages stages);

struct PipelineOptions {
  solver::FitOptions fit;
  FitStages stages = FitStages::kPhotometric;
  solver::PhotometricOptions photometric;
  render::OverlayOptions overlay;
  // Keep/reject decision recorded in fit.json (the outputs are written either way).
  solver::QualityRule quality;
  // Replace an existing output folder of an earlier fit (one holding only the files FitImage
  // writes); when false any existing folder is an error. A file, or a folder holding anything else,
  // is never replaced: --out given by mistake as a photo folder must not delete it.
  bool overwrite = false;
  // Throws morphfit::Error naming the bad option.
  void Validate() const;
};

// Wall-clock seconds per step of one image.
struct ImageTimings {
  double read = 0;    // image + landmarks
  double fit = 0;     // all solver stages
  double render = 0;  // rasterization, shading, overlay
  double write = 0;   // encoding and writing the output folder
  double total = 0;
};

struct ImageResult {
  solver::FitResult fit;
  solver::FitStatistics statistics;  // the fit's quality statistics, with shading residuals
  solver::Quality quality;           // the rule's verdict and every reason
  Landmarks input_landmarks;
  int width = 0;
  int height = 0;
  ImageTimings timings;
  std::string output_dir;
};

// Fits one image and writes the output set of docs/conventions.md ("Outputs of one fit") into
// `output_dir`: depth.npy/.png, normals.npy/.png, mask.png, overlay.png, mesh.obj, landmarks.pts,
// fit.json (with the quality rule's "verdict" and "reasons").
//
// All or nothing: the files are written into a temporary sibling folder that is renamed to
// `output_dir` at the end, so a bad input or a failed fit leaves no output folder (and an existing
// one untouched unless the new one replaces it with options.overwrite). Throws morphfit::Error
// naming the input and the problem (unreadable image, bad landmarks, failed fit, I/O failure).
//
// Reentrant: `model` is only read and there is no global state, so threads may call it
// concurrently with one shared model (each call is single-threaded).
ImageResult FitImage(const model::MorphableModel& model, const ImageInput& input,
                     const std::string& output_dir, const PipelineOptions& options,
                     const LandmarkSource& landmark_source = nullptr);

// The same, reporting failure in the result instead of throwing: for batches that record each
// image's outcome and go on.
struct ImageOutcome {
  bool ok = false;
  std::string error;  // one line, when !ok
  std::optional<ImageResult> result;
};
ImageOutcome TryFitImage(const model::MorphableModel& model, const ImageInput& input,
                         const std::string& output_dir, const PipelineOptions& options,
                         const LandmarkSource& landmark_source = nullptr) noexcept;

// morphfit's version, as recorded in fit.json.
std::string ProgramVersion();

}  // namespace morphfit::pipeline
