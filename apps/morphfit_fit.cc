// morphfit-fit: fits the morphable model to one image and writes the output folder
// (docs/conventions.md, "Outputs of one fit"). With no arguments it fits the bundled sample.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gflags/gflags.h>

#include "app_support.h"
#include "detect_flags.h"
#include "fit_flags.h"
#include "morphfit/detect/face_detector.h"
#include "morphfit/detect/image_reading.h"
#include "morphfit/detect/landmark_clamp.h"
#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "morphfit/pipeline/fit_image.h"
#include "quality_flags.h"

DEFINE_string(image, "",
              "Input photo. Default: ../shared/samples/eos_image_0010.png (searched "
              "relative to the working directory and the source tree)");
DEFINE_string(landmarks, "",
              "68-point landmarks of the image: iBUG .pts (1-based) or .json "
              "({\"landmarks\": [[x, y], ...]}, 0-based). Default: the image's "
              "sibling .pts or .json, else detected");
DEFINE_string(model_dir, "",
              "Model folder (default: $MORPHFIT_MODEL_DIR, then data/models/sfm "
              "and ../shared/models/sfm)");
DEFINE_string(out, "morphfit-out",
              "Output folder (an earlier fit's is replaced; any other existing folder or file is "
              "an error)");
DEFINE_bool(detect, false,
            "Detect the landmarks (dlib) even when the image has a sibling .pts or .json; "
            "without any landmark file they are detected anyway. --face_index N fits another "
            "face than the largest, --all_faces every face into --out/face_N");

namespace {

namespace fs = std::filesystem;

constexpr char kSample[] = "shared/samples/eos_image_0010.png";

std::string FindSample() {
  const std::vector<fs::path> places = {fs::path("..") / kSample,
                                        fs::path(MORPHFIT_SOURCE_DIR) / ".." / kSample};
  for (const fs::path& place : places) {
    if (fs::is_regular_file(place)) return place.lexically_normal().string();
  }
  throw morphfit::Error(std::string("no --image given and the sample ") + kSample +
                        " is not in ../ of the working directory or of the source tree");
}

std::string SiblingLandmarks(const std::string& image) {
  for (const char* extension : {".pts", ".json"}) {
    const fs::path candidate = fs::path(image).replace_extension(extension);
    if (fs::is_regular_file(candidate)) return candidate.string();
  }
  return "";
}

morphfit::pipeline::PipelineOptions OptionsFromFlags() {
  morphfit::pipeline::PipelineOptions options;
  options.fit = morphfit::apps::FitOptionsFromFlags();
  options.stages = morphfit::pipeline::ParseFitStages(morphfit::apps::FitStagesFlag());
  options.photometric = morphfit::apps::PhotometricOptionsFromFlags();
  options.overwrite = true;
  options.quality = morphfit::apps::QualityRuleFromFlags();
  options.Validate();
  return options;
}

void PrintResult(const std::string& image, const std::string& out,
                 const morphfit::pipeline::ImageResult& result) {
  const morphfit::solver::StageStatistics& last = result.fit.stages.back();
  std::printf(
      "%s -> %s: landmark RMS %.2f px (%.2f%% of the outer-eye-corner distance), "
      "fit %.1f ms, total %.1f ms\n",
      image.c_str(), out.c_str(), last.landmark_rms_px, 100 * last.landmark_rms_nme,
      1e3 * result.timings.fit, 1e3 * result.timings.total);
  std::printf("verdict: %s\n", morphfit::solver::VerdictName(result.quality.verdict()));
  for (const morphfit::solver::QualityReason& reason : result.quality.reasons) {
    std::printf("  %s: %s = %.4g %s %.4g\n", reason.name.c_str(), reason.statistic.c_str(),
                reason.value, reason.comparison.c_str(), reason.threshold);
  }
}

// The landmarks of one detected face, clamped to the image, and fit.json's "input.landmarks": that
// they were detected, by which model, which face, and how many points were clamped.
morphfit::pipeline::ImageInput DetectedInput(const std::string& image_path, const cv::Mat& image,
                                             const morphfit::detect::DetectorOptions& options,
                                             const morphfit::detect::DetectedFace& face, int index,
                                             int count) {
  morphfit::pipeline::ImageInput input;
  input.image_path = image_path;
  input.pixels = image;  // decoded once, for detection and fit
  input.landmarks = face.landmarks;
  const int clamped =
      morphfit::detect::ClampLandmarksToImage(*input.landmarks, image.cols, image.rows);
  char text[256];
  std::snprintf(text, sizeof(text),
                ": face %d of %d (largest first), box x %d y %d w %d h %d, score %.3f, %d point(s) "
                "clamped to the image; dlib HOG frontal face detector (max_detect_side %d, "
                "upsample_times %d), shape predictor ",
                index, count, face.box.x, face.box.y, face.box.width, face.box.height, face.score,
                clamped, options.max_detect_side, options.upsample_times);
  input.landmarks_origin = "detected in " + image_path + text + options.landmark_model;
  return input;
}

// Detects the faces and fits the one the selection names (the largest by default) into --out,
// or with --all_faces every face into --out/face_<i>, going on after a failed face.
int FitDetectedFaces(const morphfit::model::MorphableModel& model, const std::string& image_path,
                     const morphfit::detect::DetectorOptions& detector_options,
                     const morphfit::detect::FaceSelection& selection,
                     const morphfit::pipeline::PipelineOptions& options) {
  const cv::Mat image = morphfit::detect::ReadColorImage(image_path);
  morphfit::detect::FaceDetector detector(detector_options);
  const auto faces = detector.Detect(image, image_path);
  morphfit::detect::SelectFaces(faces, selection, image_path);  // no face, bad index: throws
  const int count = static_cast<int>(faces.size());
  if (selection.mode != morphfit::detect::FaceSelection::Mode::kAll) {
    const int index =
        selection.mode == morphfit::detect::FaceSelection::Mode::kIndex ? selection.index : 0;
    const morphfit::pipeline::ImageInput input =
        DetectedInput(image_path, image, detector_options, faces[index], index, count);
    PrintResult(image_path, FLAGS_out,
                morphfit::pipeline::FitImage(model, input, FLAGS_out, options));
    return morphfit::apps::kExitOk;
  }
  int failed = 0;
  for (int index = 0; index < count; ++index) {
    const morphfit::pipeline::ImageInput input =
        DetectedInput(image_path, image, detector_options, faces[index], index, count);
    const std::string out = (fs::path(FLAGS_out) / ("face_" + std::to_string(index))).string();
    const morphfit::pipeline::ImageOutcome outcome =
        morphfit::pipeline::TryFitImage(model, input, out, options);
    if (outcome.ok) {
      PrintResult(image_path, out, *outcome.result);
    } else {
      ++failed;
      std::fprintf(stderr, "morphfit-fit: face %d: %s\n", index, outcome.error.c_str());
    }
  }
  if (failed == 0) return morphfit::apps::kExitOk;
  std::fprintf(stderr, "morphfit-fit: %d of %d face(s) failed\n", failed, count);
  return morphfit::apps::kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetVersionString(morphfit::pipeline::ProgramVersion());
  morphfit::apps::ParseFlags(
      &argc, &argv,
      "morphfit-fit: fits the morphable model to one face photo from its 68 landmarks and writes "
      "depth, normals, mask, overlay, mesh, landmarks and fit.json into --out.\n"
      "  morphfit-fit [--image photo.jpg [--landmarks photo.pts]] [--out DIR] "
      "[--flagfile data/presets/NAME.flags]\n"
      "Without a landmark file (or with --detect) the landmarks are detected (dlib): the largest "
      "face, --face_index N, or --all_faces into --out/face_N.\n"
      "With no flags it fits ../shared/samples/eos_image_0010.png into ./morphfit-out.");
  morphfit::pipeline::PipelineOptions options;
  morphfit::detect::DetectorOptions detector_options;
  morphfit::detect::FaceSelection selection;
  try {
    options = OptionsFromFlags();
    detector_options = morphfit::apps::DetectorOptionsFromFlags();
    selection = morphfit::apps::FaceSelectionFromFlags();
  } catch (const morphfit::Error& e) {
    morphfit::apps::ExitBadFlags(e.what());
  }
  const bool force_detection = FLAGS_detect || morphfit::apps::FaceSelectionFlagsGiven();
  if (force_detection && !FLAGS_landmarks.empty()) {
    morphfit::apps::ExitBadFlags(
        "--landmarks excludes --detect, --face_index and --all_faces (they choose detected faces)");
  }
  if (FLAGS_out.empty()) morphfit::apps::ExitBadFlags("--out must name the output folder");
  return morphfit::apps::RunApp([&] {
    morphfit::pipeline::ImageInput input;
    input.image_path = FLAGS_image.empty() ? FindSample() : FLAGS_image;
    input.landmarks_path =
        FLAGS_landmarks.empty() ? SiblingLandmarks(input.image_path) : FLAGS_landmarks;
    const morphfit::model::MorphableModel model =
        morphfit::model::LoadModelDirectory(morphfit::model::FindModelDirectory(FLAGS_model_dir));
    if (force_detection || input.landmarks_path.empty()) {
      return FitDetectedFaces(model, input.image_path, detector_options, selection, options);
    }
    PrintResult(input.image_path, FLAGS_out,
                morphfit::pipeline::FitImage(model, input, FLAGS_out, options));
    return morphfit::apps::kExitOk;
  });
}
