// morphfit-fit: fits the morphable model to one image and writes the output folder
// (docs/conventions.md, "Outputs of one fit"). With no arguments it fits the bundled sample.

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gflags/gflags.h>

#include "app_support.h"
#include "fit_flags.h"
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
              "sibling .pts or .json");
DEFINE_string(model_dir, "",
              "Model folder (default: $MORPHFIT_MODEL_DIR, then data/models/sfm "
              "and ../shared/models/sfm)");
DEFINE_string(out, "morphfit-out", "Output folder (replaced if it exists)");

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

}  // namespace

int main(int argc, char** argv) {
  gflags::SetVersionString(morphfit::pipeline::ProgramVersion());
  morphfit::apps::ParseFlags(
      &argc, &argv,
      "morphfit-fit: fits the morphable model to one face photo from its 68 landmarks and writes "
      "depth, normals, mask, overlay, mesh, landmarks and fit.json into --out.\n"
      "  morphfit-fit [--image photo.jpg [--landmarks photo.pts]] [--out DIR] "
      "[--flagfile data/presets/NAME.flags]\n"
      "With no flags it fits ../shared/samples/eos_image_0010.png into ./morphfit-out.");
  morphfit::pipeline::PipelineOptions options;
  try {
    options = OptionsFromFlags();
  } catch (const morphfit::Error& e) {
    morphfit::apps::ExitBadFlags(e.what());
  }
  return morphfit::apps::RunApp([&options] {
    morphfit::pipeline::ImageInput input;
    input.image_path = FLAGS_image.empty() ? FindSample() : FLAGS_image;
    input.landmarks_path =
        FLAGS_landmarks.empty() ? SiblingLandmarks(input.image_path) : FLAGS_landmarks;
    const morphfit::model::MorphableModel model =
        morphfit::model::LoadModelDirectory(morphfit::model::FindModelDirectory(FLAGS_model_dir));
    // Landmark detection (the detect module) plugs in here as FitImage's LandmarkSource.
    const morphfit::pipeline::ImageResult result =
        morphfit::pipeline::FitImage(model, input, FLAGS_out, options);
    const morphfit::solver::StageStatistics& last = result.fit.stages.back();
    std::printf(
        "%s -> %s: landmark RMS %.2f px (%.2f%% of the outer-eye-corner distance), "
        "fit %.1f ms, total %.1f ms\n",
        input.image_path.c_str(), FLAGS_out.c_str(), last.landmark_rms_px,
        100 * last.landmark_rms_nme, 1e3 * result.timings.fit, 1e3 * result.timings.total);
    std::printf("verdict: %s\n", morphfit::solver::VerdictName(result.quality.verdict()));
    for (const morphfit::solver::QualityReason& reason : result.quality.reasons) {
      std::printf("  %s: %s = %.4g %s %.4g\n", reason.name.c_str(), reason.statistic.c_str(),
                  reason.value, reason.comparison.c_str(), reason.threshold);
    }
    return morphfit::apps::kExitOk;
  });
}
