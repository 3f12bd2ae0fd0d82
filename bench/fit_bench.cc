// Landmark fit (stages 1-2: rigid PnP + Ceres landmark solve; no image I/O, no rendering) on the
// bundled sample and on synthetic faces. Target: median <= 10 ms on one core. Report the CPU
// column's median (the machine may be shared):
//   fit_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true

#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/model_io.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/synthetic_face.h"

namespace {

using namespace morphfit;

const model::MorphableModel& Model() {
  static const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(MORPHFIT_SHARED_DIR "/models/sfm"));
  return model;
}

void BM_FitSample(benchmark::State& state) {
  const Landmarks landmarks = ReadPts(MORPHFIT_SHARED_DIR "/samples/eos_image_0010.pts");
  const solver::FitOptions options;
  for (auto _ : state) {
    solver::FitResult result = solver::Fit(Model(), landmarks, {1280, 1024}, options);
    benchmark::DoNotOptimize(result.camera.translation);
  }
}
BENCHMARK(BM_FitSample)->Unit(benchmark::kMillisecond);

// 32 synthetic faces (yaw +-60 degrees, 1 px landmark noise) fitted in turn; time per face.
void BM_FitSynthetic(benchmark::State& state) {
  solver::SyntheticFaceOptions synthetic;
  synthetic.landmark_noise_px = 1.0;
  std::vector<Landmarks> faces;
  for (int seed = 0; seed < 32; ++seed) {
    faces.push_back(solver::MakeSyntheticFace(Model(), synthetic, seed).landmarks);
  }
  const solver::FitOptions options;
  size_t next = 0;
  for (auto _ : state) {
    solver::FitResult result =
        solver::Fit(Model(), faces[next], {synthetic.width, synthetic.height}, options);
    benchmark::DoNotOptimize(result.camera.translation);
    next = (next + 1) % faces.size();
  }
}
BENCHMARK(BM_FitSynthetic)->Unit(benchmark::kMillisecond)->Iterations(64);

}  // namespace

BENCHMARK_MAIN();
