// Timing of the whole fit (stages 1-3) by stage, on one core: synthetic faces about 256 pixels
// tall (the target: median <= 150 ms) and the 1280 x 1024 sample photo.
//
//   photometric_benchmark --benchmark_repetitions=15 --benchmark_report_aggregates_only=true
//       [name value]...
//
// Each benchmark iteration fits a different scene of a fixed set, so the medians are over faces.
// `name value` pairs set the fit and photometric options as in photometric_accuracy (names in
// synthetic_bench_options.h; e.g. `refine_lighting 0`), so that what one measures accurate can be
// timed with the same settings; scene options do not apply here.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <opencv2/imgcodecs.hpp>

#include "morphfit/model/model_io.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/synth/synthetic_scene.h"
#include "synthetic_bench_options.h"

namespace {

using namespace morphfit;

// The options every benchmark fits with (set from the command line in main, before any runs).
struct FitSettings {
  solver::FitOptions fit;
  solver::PhotometricOptions photo;
};
FitSettings& Settings() {
  static FitSettings settings;
  return settings;
}

const model::MorphableModel& Model() {
  static const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(MORPHFIT_SHARED_DIR "/models/sfm"));
  return model;
}

// Faces about 256 pixels tall, as in bench/photometric_accuracy.cc.
const std::vector<synth::SyntheticScene>& Scenes() {
  static const std::vector<synth::SyntheticScene> scenes = [] {
    const synth::SceneOptions options = synth::SceneOptions::PhotometricBenchmark();
    std::vector<synth::SyntheticScene> list;
    for (int seed = 0; seed < 16; ++seed) {
      list.push_back(
          synth::MakeSyntheticScene(Model(), options, synth::Corruption::kNone, 5000 + seed));
    }
    return list;
  }();
  return scenes;
}

void BM_LandmarkStages(benchmark::State& state) {
  const solver::FitOptions& options = Settings().fit;
  size_t i = 0;
  for (auto _ : state) {
    const synth::SyntheticScene& scene = Scenes()[i++ % Scenes().size()];
    benchmark::DoNotOptimize(
        solver::Fit(Model(), scene.landmarks, {scene.image.cols, scene.image.rows}, options));
  }
}

void BM_PhotometricStage(benchmark::State& state) {
  const solver::FitOptions& options = Settings().fit;
  const solver::PhotometricOptions& photo_options = Settings().photo;
  std::vector<solver::FitResult> stage2;
  for (const synth::SyntheticScene& scene : Scenes()) {
    stage2.push_back(
        solver::Fit(Model(), scene.landmarks, {scene.image.cols, scene.image.rows}, options));
  }
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ % Scenes().size();
    state.PauseTiming();
    solver::FitResult fit = stage2[k];
    state.ResumeTiming();
    solver::RunPhotometricStage(Model(), Scenes()[k].image, Scenes()[k].landmarks, options,
                                photo_options, fit);
    benchmark::DoNotOptimize(fit);
  }
}

void BM_WholeFit(benchmark::State& state) {
  const solver::FitOptions& options = Settings().fit;
  const solver::PhotometricOptions& photo_options = Settings().photo;
  size_t i = 0;
  for (auto _ : state) {
    const synth::SyntheticScene& scene = Scenes()[i++ % Scenes().size()];
    solver::FitResult fit =
        solver::Fit(Model(), scene.landmarks, {scene.image.cols, scene.image.rows}, options);
    solver::RunPhotometricStage(Model(), scene.image, scene.landmarks, options, photo_options, fit);
    benchmark::DoNotOptimize(fit);
  }
}

void BM_WholeFitSamplePhoto(benchmark::State& state) {
  const std::string image_path = MORPHFIT_SHARED_DIR "/samples/eos_image_0010.png";
  const cv::Mat image = cv::imread(image_path, cv::IMREAD_COLOR);
  const Landmarks landmarks = ReadPts(MORPHFIT_SHARED_DIR "/samples/eos_image_0010.pts");
  const solver::FitOptions& options = Settings().fit;
  const solver::PhotometricOptions& photo_options = Settings().photo;
  for (auto _ : state) {
    solver::FitResult fit = solver::Fit(Model(), landmarks, {image.cols, image.rows}, options);
    solver::RunPhotometricStage(Model(), image, landmarks, options, photo_options, fit);
    benchmark::DoNotOptimize(fit);
  }
}

// Processor time: the fit is single-threaded, and the machine running this may be shared.
BENCHMARK(BM_LandmarkStages)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(16)
    ->MeasureProcessCPUTime();
BENCHMARK(BM_PhotometricStage)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(16)
    ->MeasureProcessCPUTime();
BENCHMARK(BM_WholeFit)->Unit(benchmark::kMillisecond)->Iterations(16)->MeasureProcessCPUTime();
BENCHMARK(BM_WholeFitSamplePhoto)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(4)
    ->MeasureProcessCPUTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);  // takes out the --benchmark_* flags
  synth::SceneOptions unused_scene;
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (i + 1 >= argc || !bench::SetSyntheticBenchOption(name, std::atof(argv[i + 1]), unused_scene,
                                                         Settings().fit, Settings().photo)) {
      std::fprintf(stderr, "unknown option or missing value: %s\n", name.c_str());
      return 2;
    }
  }
  Settings().photo.Validate();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
