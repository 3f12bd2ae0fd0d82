// Rasterizer speed on the SFM mean face, frontal, covering about half the image:
// depth + triangle ids + barycentrics + normals (+ mask, which is triangle >= 0).
//
//   ninja -C build render_bench
//   build/bench/render_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cmath>
#include <iostream>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"
#include "morphfit/render/frame.h"
#include "morphfit/render/rasterizer.h"

namespace morphfit::render {
namespace {

const model::MorphableModel& Model() {
  // $MORPHFIT_MODEL_DIR or the default places, else the shared folder the build was set up with.
  static const model::MorphableModel model = [] {
    std::string directory;
    try {
      directory = model::FindModelDirectory("");
    } catch (const Error&) {
      directory = std::string(MORPHFIT_SHARED_DIR) + "/models/sfm";
    }
    return model::LoadModelDirectory(directory);
  }();
  return model;
}

struct Scene {
  Eigen::Matrix3Xd model_vertices;
  Eigen::Matrix3Xd model_normals;
  Eigen::Matrix3Xd vertices;
  Eigen::Matrix3Xd normals;
  Camera camera;
};

// The mean face centred in a size x size image, its distance chosen so that the face mask covers
// half the image.
Scene MakeScene(int size) {
  const model::MorphableModel& model = Model();
  Scene scene;
  scene.model_vertices = model.InstanceVertices({}, {});
  scene.model_normals = model::VertexNormals(scene.model_vertices, model.triangles);
  scene.camera = Camera::ForImage(size, size, size);  // 53 degrees horizontal field of view
  scene.camera.rotation = RotationFromYawPitchRoll(0, 0, 0);
  const Eigen::Vector3d centre = 0.5 * (scene.model_vertices.rowwise().minCoeff() +
                                        scene.model_vertices.rowwise().maxCoeff());
  double distance = 2.0 * size;
  Frame frame;
  for (int iteration = 0; iteration < 6; ++iteration) {
    scene.camera.translation = Eigen::Vector3d(0, 0, distance) - scene.camera.rotation * centre;
    TransformToCamera(scene.camera, scene.model_vertices, scene.vertices);
    RotateNormals(scene.camera, scene.model_normals, scene.normals);
    Rasterizer().Render({&scene.vertices, &model.triangles, &scene.normals}, scene.camera, frame);
    const double coverage = static_cast<double>(frame.CountCovered()) / frame.num_pixels();
    distance *= std::sqrt(coverage / 0.5);
  }
  return scene;
}

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
