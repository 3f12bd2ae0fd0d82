// morphfit-eval: measures how well the quality rule separates good fits from bad ones, on
// synthetic faces with known geometry or on real photos with human landmarks, and calibrates its
// thresholds (--calibrate) into a flag file the other apps read with --flagfile.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gflags/gflags.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "app_support.h"
#include "detect_flags.h"
#include "fit_flags.h"
#include "morphfit/detect/face_detector.h"
#include "morphfit/detect/image_reading.h"
#include "morphfit/eval/annotated_face.h"
#include "morphfit/eval/calibration.h"
#include "morphfit/eval/evaluated_case.h"
#include "morphfit/eval/report.h"
#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/model/landmarks.h"
#include "morphfit/model/model_io.h"
#include "morphfit/render/map_io.h"
#include "morphfit/synth/synthetic_scene.h"
#include "quality_flags.h"

DEFINE_string(mode, "synthetic", "synthetic | annotated");
DEFINE_string(out, "morphfit-eval-out",
              "Output folder: report.txt, cases.csv, histograms.png, roc.png");
DEFINE_string(model_dir, "", "Model folder (default: found as morphfit-fit finds it)");
DEFINE_int32(cases, 500, "synthetic: number of scenes");
DEFINE_uint64(seed, 1, "synthetic: seed of the first scene; scene i uses seed + i");
DEFINE_int32(width, 640, "synthetic: image width");
DEFINE_int32(height, 640, "synthetic: image height");
DEFINE_double(min_distance, 700, "synthetic: nearest face distance (mm)");
DEFINE_double(max_distance, 1600, "synthetic: farthest face distance (mm)");
DEFINE_double(landmark_noise, 0.0,
              "synthetic: extra Gaussian noise on the landmarks (pixels, per coordinate), on top "
              "of --annotation_noise");
DEFINE_double(annotation_noise, morphfit::synth::RealismOptions().annotation_noise,
              "synthetic: human annotation noise per coordinate, share of the outer-eye-corner "
              "distance (jaw points: --contour_noise_along along the contour)");
DEFINE_double(contour_noise_along, morphfit::synth::RealismOptions().contour_noise_along,
              "synthetic: annotation noise of jaw points along the contour (share of eye "
              "distance)");
DEFINE_bool(realistic_scenes, true,
            "synthetic: photograph-like scenes (annotation noise, feature albedo and skin "
            "texture, out-of-model detail, specular, shadows, hair, JPEG; docs/quality.md); "
            "false: the model's own world (SceneOptions::Idealised)");
DEFINE_string(albedo_textures, "",
              "synthetic: take each scene's albedo from the textures of the photos (with .pts "
              "files) in this folder, instead of the smooth random pattern (docs/quality.md)");
DEFINE_double(corrupted_fraction, 0.3,
              "synthetic: share of scenes with a corruption (jittered / other-face / mirrored "
              "landmarks, occluder, extreme pose, non-face), spread evenly over the kinds");
DEFINE_double(bad_depth_rmse, 4.0, "synthetic: a fit is bad when its depth RMSE (mm) exceeds this");
DEFINE_double(min_coverage, 0.7,
              "synthetic: a fit is bad when it covers less than this share of the true face");
DEFINE_string(input_dir, "", "annotated: folder of images with sibling .pts files");
DEFINE_string(annotated_landmarks, "detected",
              "annotated: fit from landmarks 'detected' by dlib (--landmark_model, "
              "--max_detect_side, --upsample_times; the face that overlaps the annotation most), "
              "or from the 'annotation' itself (measures the fit alone)");
DEFINE_double(bad_nme, 0.08,
              "annotated: a fit is bad when its model landmarks' NME against the annotation "
              "exceeds this");
DEFINE_bool(calibrate, false,
            "Choose thresholds reaching --target_false_rejection and write them to "
            "<out>/quality.flags");
DEFINE_double(target_false_rejection, 0.10, "--calibrate: largest share of good fits rejected");
DEFINE_int32(save_images, 0, "Save the first N input images with their landmarks to <out>/cases");
DECLARE_string(flagfile);

namespace morphfit {
namespace {

namespace fs = std::filesystem;

synth::Corruption CorruptionOfCase(int index, double corrupted_fraction) {
  // Spread evenly (case i is corrupted when floor((i + 1) f) steps up), cycling through the kinds.
  const auto corrupted_before = [&](int i) {
    return static_cast<int>(std::floor(i * corrupted_fraction + 1e-9));
  };
  const int count = corrupted_before(index + 1);
  if (count == corrupted_before(index)) return synth::Corruption::kNone;
  return static_cast<synth::Corruption>(1 + (count - 1) % (synth::kNumCorruptions - 1));
}

void SaveCaseImage(const std::string& path, const cv::Mat& image, const Landmarks& landmarks) {
  cv::Mat drawn = image.clone();
  for (int i = 0; i < landmarks.rows(); ++i) {
    cv::circle(drawn, cv::Point2d(landmarks(i, 0), landmarks(i, 1)), 2, cv::Scalar(0, 255, 0), -1);
  }
  render::WriteImage(path, drawn);
}

std::vector<eval::EvaluatedCase> RunSynthetic(const model::MorphableModel& model,
                                              const eval::FitSetup& setup,
                                              const eval::BadFitDefinition& definition) {
  synth::SceneOptions options =
      FLAGS_realistic_scenes ? synth::SceneOptions() : synth::SceneOptions::Idealised();
  options.realism.annotation_noise = FLAGS_annotation_noise;
  options.realism.contour_noise_along = FLAGS_contour_noise_along;
  options.face.width = FLAGS_width;
  options.face.height = FLAGS_height;
  options.face.min_distance_mm = FLAGS_min_distance;
  options.face.max_distance_mm = FLAGS_max_distance;
  if (FLAGS_realistic_scenes || !gflags::GetCommandLineFlagInfoOrDie("landmark_noise").is_default)
    options.face.landmark_noise_px = FLAGS_landmark_noise;
  if (!FLAGS_albedo_textures.empty()) {
    std::vector<std::string> skipped;
    options.albedo_textures = std::make_shared<std::vector<synth::PhotoTexture>>(
        synth::ExtractPhotoTextures(model, FLAGS_albedo_textures, &skipped));
    for (const std::string& why : skipped)
      std::cerr << "morphfit-eval: texture skipped: " << why << "\n";
    std::cerr << "morphfit-eval: " << options.albedo_textures->size() << " albedo textures from "
              << FLAGS_albedo_textures << "\n";
  }
  std::vector<eval::EvaluatedCase> cases;
  for (int i = 0; i < FLAGS_cases; ++i) {
    const uint64_t seed = FLAGS_seed + i;
    const synth::Corruption corruption = CorruptionOfCase(i, FLAGS_corrupted_fraction);
    const synth::SyntheticScene scene = synth::MakeSyntheticScene(model, options, corruption, seed);
    const std::string name = "seed" + std::to_string(seed);
    if (i < FLAGS_save_images) {
      SaveCaseImage(FLAGS_out + "/cases/" + name + "_" + synth::CorruptionName(corruption) + ".png",
                    scene.image, scene.landmarks);
    }
    cases.push_back(eval::EvaluateSyntheticScene(model, scene, name, setup, definition));
    if ((i + 1) % 50 == 0) std::cerr << "morphfit-eval: " << i + 1 << " cases\n";
  }
  return cases;
}

bool DetectsLandmarks() { return FLAGS_annotated_landmarks == "detected"; }

std::vector<eval::EvaluatedCase> RunAnnotated(const model::MorphableModel& model,
                                              const eval::FitSetup& setup,
                                              const eval::BadFitDefinition& definition) {
  std::vector<fs::path> images;
  if (!fs::is_directory(FLAGS_input_dir)) throw FileError(FLAGS_input_dir, "is not a folder");
  for (const auto& entry : fs::directory_iterator(FLAGS_input_dir)) {
    if (entry.is_regular_file() && detect::IsImageFile(entry.path().string()) &&
        fs::exists(fs::path(entry.path()).replace_extension(".pts"))) {
      images.push_back(entry.path());
    }
  }
  std::sort(images.begin(), images.end());
  if (images.empty()) throw Error(FLAGS_input_dir + ": no image with a sibling .pts file");
  // Loaded once for the run (the predictor takes over a second).
  std::optional<detect::FaceDetector> detector;
  if (DetectsLandmarks()) detector.emplace(apps::DetectorOptionsFromFlags());
  std::vector<eval::EvaluatedCase> cases;
  for (size_t i = 0; i < images.size(); ++i) {
    const fs::path& path = images[i];
    const std::string name = path.filename().string();
    // An unreadable image or annotation is a failed case of the table, not the end of the run.
    cv::Mat image;
    Landmarks annotation;
    eval::EvaluatedCase evaluated;
    try {
      image = detect::ReadColorImage(path.string());
      annotation = ReadPts(fs::path(path).replace_extension(".pts").string());
      ValidateLandmarks(annotation, image.cols, image.rows, path.string());
      if (detector) {
        evaluated = eval::EvaluateDetectedFace(model, image, detector->Detect(image, path.string()),
                                               annotation, name, setup, definition);
      } else {
        evaluated = eval::EvaluateAnnotatedImage(model, image, annotation, annotation, name, setup,
                                                 definition);
      }
    } catch (const Error& e) {
      evaluated.name = name;
      evaluated.kind = "annotated";
      evaluated.fit_error = e.what();
      evaluated.bad = true;
    }
    if (static_cast<int>(i) < FLAGS_save_images && !image.empty()) {
      SaveCaseImage(FLAGS_out + "/cases/" + path.stem().string() + ".png", image, annotation);
    }
    cases.push_back(evaluated);
  }
  return cases;
}

double Median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

// The report's first lines in annotated mode: where the landmarks came from and, for detected
// ones, how many images had a matching face and the median errors of detection and of the fit.
std::string AnnotatedHeader(const std::vector<eval::EvaluatedCase>& cases) {
  std::string header = "annotated mode on " + FLAGS_input_dir + ", bad = model-landmark NME > " +
                       std::to_string(FLAGS_bad_nme) + "\n";
  std::vector<double> fit_nme;
  for (const eval::EvaluatedCase& evaluated : cases) {
    if (evaluated.fit_error.empty()) fit_nme.push_back(evaluated.annotation_nme);
  }
  if (!DetectsLandmarks()) {
    return header +
           "landmarks: the human annotation itself (--annotated_landmarks=annotation): the NME "
           "measures the fit alone; median fit annotation NME " +
           std::to_string(Median(fit_nme)) + " over " + std::to_string(fit_nme.size()) +
           " fitted\n";
  }
  std::vector<double> detection_nme;
  for (const eval::EvaluatedCase& evaluated : cases) {
    if (evaluated.detection && evaluated.detection->index >= 0) {
      detection_nme.push_back(evaluated.detection->nme);
    }
  }
  return header + "landmarks: detected (--annotated_landmarks=detected; dlib, " +
         apps::DetectorOptionsFromFlags().landmark_model +
         "; the face overlapping the annotation most): matched in " +
         std::to_string(detection_nme.size()) + " of " + std::to_string(cases.size()) +
         " images, median detection NME " + std::to_string(Median(detection_nme)) +
         ", median fit annotation NME " + std::to_string(Median(fit_nme)) + " over " +
         std::to_string(fit_nme.size()) + " fitted\n";
}

void WriteOutputs(const std::vector<eval::EvaluatedCase>& cases, const solver::QualityRule& rule,
                  const std::string& rule_source, std::string& report) {
  const eval::Decisions decisions = eval::Decide(cases, rule);
  const std::vector<eval::StatisticSample> statistics =
      eval::CollectStatistics(cases, decisions.bad, rule);
  report += eval::FormatReport(cases, decisions, statistics, rule_source);
  WriteFileAtomically(FLAGS_out + "/cases.csv", eval::CasesCsv(cases, decisions));
  render::WriteImage(FLAGS_out + "/histograms.png",
                     eval::DrawHistograms(statistics, decisions.bad));
  std::vector<std::vector<eval::RocPoint>> curves;
  for (const eval::StatisticSample& s : statistics) {
    std::vector<double> scores = s.values;
    const bool lower_is_worse = solver::FindQualityStatistic(s.name).worse == solver::Worse::kLower;
    for (double& v : scores) {
      if (lower_is_worse) v = -v;
    }
    curves.push_back(eval::RocCurve(scores, decisions.bad));
  }
  const eval::RocPoint rule_point{decisions.counts.FalseRejectionRate(), decisions.counts.Recall()};
  render::WriteImage(FLAGS_out + "/roc.png", eval::DrawRocCurves(statistics, curves, rule_point));
}

int Run() {
  const solver::QualityRule rule = apps::QualityRuleFromFlags();
  eval::CalibrationOptions calibration;
  calibration.target_false_rejection = FLAGS_target_false_rejection;
  calibration.Validate();
  eval::BadFitDefinition definition;
  definition.max_depth_rmse_mm = FLAGS_bad_depth_rmse;
  definition.min_coverage = FLAGS_min_coverage;
  definition.max_annotation_nme = FLAGS_bad_nme;
  // Fitted as morphfit-fit fits (the shared fit flags, --stages included).
  eval::FitSetup setup;
  setup.fit = apps::FitOptionsFromFlags();
  if (apps::FitStagesFlag() == "photometric")
    setup.photometric = apps::PhotometricOptionsFromFlags();

  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(FLAGS_model_dir));
  fs::create_directories(FLAGS_out + "/cases");
  const std::vector<eval::EvaluatedCase> cases = FLAGS_mode == "synthetic"
                                                     ? RunSynthetic(model, setup, definition)
                                                     : RunAnnotated(model, setup, definition);
  std::string report = "fit: stages " + apps::FitStagesFlag() + " (--stages)\n";
  if (FLAGS_mode == "annotated") report += AnnotatedHeader(cases);
  const std::string flag_source =
      FLAGS_flagfile.empty() ? "built-in defaults and command-line flags" : FLAGS_flagfile;
  if (!FLAGS_calibrate) {
    WriteOutputs(cases, rule, flag_source, report);
  } else {
    const eval::Decisions before = eval::Decide(cases, rule);
    report += "=== rule before calibration\n" +
              eval::FormatReport(cases, before, eval::CollectStatistics(cases, before.bad, rule),
                                 flag_source);
    // Failed fits are rejected whatever the thresholds; they take no part in choosing them.
    std::vector<solver::FitStatistics> statistics;
    std::vector<bool> bad;
    for (const eval::EvaluatedCase& evaluated : cases) {
      if (!evaluated.statistics) continue;
      statistics.push_back(*evaluated.statistics);
      bad.push_back(evaluated.bad);
    }
    const solver::QualityRule calibrated = eval::CalibrateRule(statistics, bad, rule, calibration);
    const std::string flag_file = FLAGS_out + "/quality.flags";
    const std::string truth = FLAGS_mode == "synthetic"
                                  ? std::to_string(FLAGS_cases) + " synthetic cases from seed " +
                                        std::to_string(FLAGS_seed) + ", bad = depth RMSE > " +
                                        std::to_string(FLAGS_bad_depth_rmse) +
                                        " mm or coverage < " + std::to_string(FLAGS_min_coverage)
                                  : std::to_string(cases.size()) + " annotated images in " +
                                        FLAGS_input_dir + ", bad = NME > " +
                                        std::to_string(FLAGS_bad_nme);
    WriteFileAtomically(
        flag_file,
        eval::QualityFlagFileText(
            calibrated,
            {"morphfit quality rule, calibrated by morphfit-eval on " + truth,
             "target false rejection rate " + std::to_string(FLAGS_target_false_rejection)}));
    report += "\n=== calibrated rule, written to " + flag_file + "\n";
    WriteOutputs(cases, calibrated, flag_file, report);
  }
  std::cout << report;
  WriteFileAtomically(FLAGS_out + "/report.txt", report);
  return 0;
}

}  // namespace
}  // namespace morphfit

int main(int argc, char** argv) {
  morphfit::apps::ParseFlags(
      &argc, &argv,
      "morphfit-eval: how well the quality rule separates good fits from bad ones, and its "
      "calibration.\n"
      "  morphfit-eval --mode=synthetic --cases N --out DIR [--calibrate]\n"
      "  morphfit-eval --mode=annotated --input_dir DIR --out DIR "
      "[--annotated_landmarks=detected|annotation]");
  if (FLAGS_mode != "synthetic" && FLAGS_mode != "annotated") {
    morphfit::apps::ExitBadFlags("--mode must be synthetic or annotated, not '" + FLAGS_mode + "'");
  }
  if (FLAGS_mode == "annotated" && FLAGS_input_dir.empty()) {
    morphfit::apps::ExitBadFlags("--mode=annotated needs --input_dir");
  }
  if (FLAGS_annotated_landmarks != "detected" && FLAGS_annotated_landmarks != "annotation") {
    morphfit::apps::ExitBadFlags("--annotated_landmarks must be detected or annotation, not '" +
                                 FLAGS_annotated_landmarks + "'");
  }
  if (FLAGS_out.empty()) morphfit::apps::ExitBadFlags("--out is required");
  if (std::filesystem::exists(FLAGS_out) && !std::filesystem::is_directory(FLAGS_out)) {
    morphfit::apps::ExitBadFlags("--out " + FLAGS_out + ": exists and is not a folder");
  }
  if (morphfit::apps::FaceSelectionFlagsGiven()) {
    morphfit::apps::ExitBadFlags(
        "--face_index and --all_faces do not apply: morphfit-eval fits the detected face that "
        "overlaps the annotation");
  }
  if (FLAGS_cases < 1 || FLAGS_width < 64 || FLAGS_height < 64 || !(FLAGS_min_distance > 0) ||
      !(FLAGS_max_distance >= FLAGS_min_distance) || !(FLAGS_landmark_noise >= 0) ||
      !(FLAGS_annotation_noise >= 0) || !(FLAGS_contour_noise_along >= 0) ||
      !(FLAGS_corrupted_fraction >= 0 && FLAGS_corrupted_fraction <= 1)) {
    morphfit::apps::ExitBadFlags(
        "bad --cases / --width / --height / --min_distance / --max_distance / "
        "--corrupted_fraction");
  }
  try {
    morphfit::apps::QualityRuleFromFlags();
    morphfit::apps::FitOptionsFromFlags();
    morphfit::apps::PhotometricOptionsFromFlags();
    morphfit::apps::DetectorOptionsFromFlags();
  } catch (const morphfit::Error& e) {
    morphfit::apps::ExitBadFlags(e.what());
  }
  return morphfit::apps::RunApp(morphfit::Run);
}
