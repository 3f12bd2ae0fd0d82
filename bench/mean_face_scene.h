#pragma once

// The benchmark scene shared by render_bench and render_frames: the SFM mean face, frontal,
// centred, its distance chosen so that the face mask covers half of a size x size image.

#include <cmath>
#include <string>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"
#include "morphfit/render/frame.h"
#include "morphfit/render/rasterizer.h"

namespace morphfit::render::bench {

inline const model::MorphableModel& Model() {
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
inline Scene MakeScene(int size) {
  const model::MorphableModel& model = Model();
  Scene scene;
  scene.model_vertices = model.InstanceVertices({}, {});
  scene.model_normals = model::VertexNormals(scene.model_vertices, model.triangles);
  scene.camera = Camera::ForImage(size, size, size);  // 53 degrees horizontal field of view
  scene.camera.rotation = RotationFromYawPitchRoll(0, 0, 0);
  const Eigen::Vector3d centre =
      0.5 * (scene.model_vertices.rowwise().minCoeff() + scene.model_vertices.rowwise().maxCoeff());
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

}  // namespace morphfit::render::bench
