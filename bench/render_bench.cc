// Rasterizer speed on the SFM mean face, frontal, covering about half the image:
// depth + triangle ids + barycentrics + normals (+ mask, which is triangle >= 0).
//
//   ninja -C build render_bench
//   build/bench/render_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include "mean_face_scene.h"

namespace morphfit::render {
namespace {

using bench::MakeScene;
using bench::Model;
using bench::Scene;

void BM_RenderMeanFace(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  const Scene scene = MakeScene(size);
  const std::vector<Eigen::Vector3i>& triangles = Model().triangles;
  Rasterizer rasterizer;
  Frame frame;
  for (auto _ : state) {
    rasterizer.Render({&scene.vertices, &triangles, &scene.normals}, scene.camera, frame);
    benchmark::DoNotOptimize(frame.depth.data());
    benchmark::ClobberMemory();
  }
  state.counters["coverage"] = static_cast<double>(frame.CountCovered()) / frame.num_pixels();
  state.counters["triangles"] = static_cast<double>(triangles.size());
}
BENCHMARK(BM_RenderMeanFace)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

// The same plus what a fitter does per re-render: pose the mesh and its vertex normals.
void BM_PoseAndRenderMeanFace(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  const Scene scene = MakeScene(size);
  const std::vector<Eigen::Vector3i>& triangles = Model().triangles;
  Rasterizer rasterizer;
  Frame frame;
  Eigen::Matrix3Xd vertices, normals;
  for (auto _ : state) {
    TransformToCamera(scene.camera, scene.model_vertices, vertices);
    RotateNormals(scene.camera, model::VertexNormals(scene.model_vertices, triangles), normals);
    rasterizer.Render({&vertices, &triangles, &normals}, scene.camera, frame);
    benchmark::DoNotOptimize(frame.depth.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_PoseAndRenderMeanFace)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace morphfit::render

BENCHMARK_MAIN();
