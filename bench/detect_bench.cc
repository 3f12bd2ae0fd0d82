// Landmark detection cost and accuracy on the shared samples:
//   build/bench/detect_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// BM_Detect/<sample> times one image (face detection on the down-scaled copy + 68-point prediction
// at full resolution, image decoding excluded) and reports, as counters, the normalised mean error
// against the human annotation in percent (nme_pct; -1 when no face holds the annotation) and
// the number of faces found.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "morphfit/detect/face_detector.h"
#include "morphfit/detect/image_reading.h"
#include "morphfit/detect/landmark_error.h"

namespace morphfit::detect {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> AnnotatedSamples() {
  std::vector<fs::path> images;
  const fs::path folder = fs::path(MORPHFIT_SHARED_DIR) / "samples";
  if (!fs::is_directory(folder)) return images;
  for (const auto& entry : fs::directory_iterator(folder)) {
    fs::path pts = entry.path();
    if (pts.extension() != ".pts" && fs::exists(pts.replace_extension(".pts"))) {
      images.push_back(entry.path());
    }
  }
  std::sort(images.begin(), images.end());
  return images;
}

FaceDetector& SharedDetector() {
  static FaceDetector detector{DetectorOptions()};
  return detector;
}

void BM_LoadLandmarkModel(benchmark::State& state) {
  for (auto _ : state) {
    FaceDetector detector{DetectorOptions()};
    benchmark::DoNotOptimize(detector);
  }
}
BENCHMARK(BM_LoadLandmarkModel)->Unit(benchmark::kMillisecond)->Iterations(1);

// What a worker thread pays for its own detector.
void BM_CopyDetector(benchmark::State& state) {
  const FaceDetector& original = SharedDetector();
  for (auto _ : state) {
    FaceDetector copy(original);
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_CopyDetector)->Unit(benchmark::kMicrosecond);

void BM_Detect(benchmark::State& state, const fs::path& path) {
  const cv::Mat image = ReadColorImage(path.string());
  const Landmarks annotation = ReadPts(fs::path(path).replace_extension(".pts").string());
  FaceDetector& detector = SharedDetector();
  std::vector<DetectedFace> faces;
  for (auto _ : state) {
    faces = detector.Detect(image, path.string());
    benchmark::DoNotOptimize(faces);
  }
  double nme_pct = -1;
  const Eigen::Vector2d centre = annotation.colwise().mean();
  for (const DetectedFace& face : faces) {
    if (face.box.contains(cv::Point(static_cast<int>(centre.x()), static_cast<int>(centre.y())))) {
      nme_pct = 100 * NormalisedMeanError(face.landmarks, annotation);
      break;
    }
  }
  state.SetLabel(std::to_string(image.cols) + "x" + std::to_string(image.rows));
  state.counters["nme_pct"] = nme_pct;
  state.counters["faces"] = static_cast<double>(faces.size());
}

}  // namespace
}  // namespace morphfit::detect

int main(int argc, char** argv) {
  for (const auto& path : morphfit::detect::AnnotatedSamples()) {
    benchmark::RegisterBenchmark(("BM_Detect/" + path.filename().string()).c_str(),
                                 morphfit::detect::BM_Detect, path)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
