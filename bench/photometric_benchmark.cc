// Timing of the whole fit (stages 1-3) by stage, on one core: synthetic faces about 256 pixels
// tall (the target: median <= 150 ms) and the 1280 x 1024 sample photo.
//
//   photometric_benchmark --benchmark_repetitions=15 --benchmark_report_aggregates_only=true
//
// Each benchmark iteration fits a different scene of a fixed set, so the medians are over faces.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <opencv2/imgcodecs.hpp>

#include "morphfit/model/model_io.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/synth/synthetic_scene.h"

namespace {

using namespace morphfit;

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
  const solver::FitOptions options;
  size_t i = 0;
  for (auto _ : state) {
    const synth::SyntheticScene& scene = Scenes()[i++ % Scenes().size()];
    benchmark::DoNotOptimize(
        solver::Fit(Model(), scene.landmarks, {scene.image.cols, scene.image.rows}, options));
  }
}

void BM_PhotometricStage(benchmark::State& state) {
  const solver::FitOptions options;
  const solver::PhotometricOptions photo_options;
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
  const solver::FitOptions options;
  const solver::PhotometricOptions photo_options;
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
  const solver::FitOptions options;
  const solver::PhotometricOptions photo_options;
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

BENCHMARK_MAIN();
