// morphfit-render: renders the morphable model (mean, or random shape and expression with --seed)
// at a given pose and camera to the map files of one fit (depth, normals, mask), a shaded image
// and an overlay with the model's landmarks.

#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <random>
#include <string>

#include <gflags/gflags.h>
#include <nlohmann/json.hpp>

#include "app_support.h"
#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"
#include "morphfit/render/map_io.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/render/shading.h"

DEFINE_string(model_dir, "", "Model folder (default: $MORPHFIT_MODEL_DIR or the usual places)");
DEFINE_string(out, "", "Output folder (created if missing)");
DEFINE_int32(width, 512, "Image width in pixels");
DEFINE_int32(height, 512, "Image height in pixels");
DEFINE_double(yaw, 0.0, "Head yaw in degrees (positive: nose to the viewer's right)");
DEFINE_double(pitch, 0.0, "Head pitch in degrees (positive: nose down)");
DEFINE_double(roll, 0.0, "Head roll in degrees (positive: counter-clockwise as seen)");
DEFINE_double(distance, 600.0,
              "Distance from the camera to the model origin (near the nose tip), mm");
DEFINE_double(focal, 0.0, "Focal length in pixels (0: twice the image width)");
DEFINE_int32(seed, -1,
             "Random face when >= 0: shape coefficients N(0, 1) in standard deviations, "
             "expression blendshape weights uniform in [0, 0.6]; the mean face when < 0");

namespace morphfit {
namespace {

constexpr double kDeg = M_PI / 180.0;

void CheckFlags() {
  if (FLAGS_out.empty()) apps::ExitBadFlags("--out is required");
  if (FLAGS_width <= 0 || FLAGS_height <= 0 || FLAGS_width > 16384 || FLAGS_height > 16384) {
    apps::ExitBadFlags("--width and --height must be in 1..16384");
  }
  if (!(FLAGS_distance > 0.0) || !std::isfinite(FLAGS_distance)) {
    apps::ExitBadFlags("--distance must be a positive number of mm");
  }
  if (!(FLAGS_focal >= 0.0) || !std::isfinite(FLAGS_focal)) {
    apps::ExitBadFlags("--focal must be >= 0 pixels");
  }
  for (double angle : {FLAGS_yaw, FLAGS_pitch, FLAGS_roll}) {
    if (!std::isfinite(angle)) apps::ExitBadFlags("--yaw, --pitch and --roll must be finite");
  }
}

int Run() {
  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(FLAGS_model_dir));

  Eigen::VectorXd shape, expression;
  if (FLAGS_seed >= 0) {
    std::mt19937 rng(static_cast<uint32_t>(FLAGS_seed));
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> weight(0.0, 0.6);
    shape.resize(model.shape.num_components());
    for (Eigen::Index k = 0; k < shape.size(); ++k) shape[k] = normal(rng);
    expression.resize(model.expression.num_components());
    for (Eigen::Index k = 0; k < expression.size(); ++k) {
      expression[k] = model.expression.is_pca ? normal(rng) : weight(rng);
    }
  }
  const Eigen::Matrix3Xd model_vertices = model.InstanceVertices(shape, expression);

  render::Camera camera = render::Camera::ForImage(
      FLAGS_width, FLAGS_height, FLAGS_focal > 0.0 ? FLAGS_focal : 2.0 * FLAGS_width);
  camera.rotation =
      render::RotationFromYawPitchRoll(FLAGS_yaw * kDeg, FLAGS_pitch * kDeg, FLAGS_roll * kDeg);
  camera.translation = Eigen::Vector3d(0, 0, FLAGS_distance);

  Eigen::Matrix3Xd vertices, normals;
  render::TransformToCamera(camera, model_vertices, vertices);
  render::RotateNormals(camera, model::VertexNormals(model_vertices, model.triangles), normals);
  render::Frame frame;
  render::Rasterizer().Render({&vertices, &model.triangles, &normals}, camera, frame);
  if (frame.CountCovered() == 0) {
    throw Error("the face is not in view (check --distance, --focal and the angles)");
  }

  // Shading: the model's mean albedo if it has one, else a uniform skin tone; a soft key light
  // from the upper left of the camera plus ambient light.
  Eigen::Matrix3Xd albedo(3, model.num_vertices());
  if (model.albedo) {
    albedo = Eigen::Map<const Eigen::Matrix3Xd>(model.albedo->mean.data(), 3, model.num_vertices());
  } else {
    albedo.colwise() = Eigen::Vector3d(0.80, 0.62, 0.52);
  }
  const render::ShLighting lighting =
      render::AmbientLight(Eigen::Vector3d::Constant(0.35)) +
      render::DirectionalLight(Eigen::Vector3d(-0.4, -0.5, -1.0), Eigen::Vector3d::Constant(0.75));
  const cv::Mat shaded = render::ShadeFrame(frame, model.triangles, albedo, lighting);
  cv::Mat image;
  shaded.convertTo(image, CV_8UC3, 255.0);

  // The model's fixed landmarks, projected; contour and unmapped ones are left out.
  Eigen::Matrix<double, Eigen::Dynamic, 2> landmarks(model::kNumIbugLandmarks, 2);
  for (int k = 0; k < model::kNumIbugLandmarks; ++k) {
    landmarks.row(k).setConstant(std::numeric_limits<double>::quiet_NaN());
    if (model.landmarks.IsFixed(k)) {
      landmarks.row(k) = camera.Project(vertices.col(model.landmarks.vertex[k])).transpose();
    }
  }

  const std::filesystem::path out(FLAGS_out);
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error || !std::filesystem::is_directory(out)) {
    throw FileError(out.string(), "cannot create the output folder: " +
                                      (error ? error.message() : std::string("not a folder")));
  }
  const render::DepthRange range = render::CoveredDepthRange(frame);
  render::WriteDepthNpy((out / "depth.npy").string(), frame);
  render::WriteDepthPng((out / "depth.png").string(), frame, range);
  render::WriteNormalsNpy((out / "normals.npy").string(), frame);
  render::WriteNormalsPng((out / "normals.png").string(), frame);
  render::WriteMaskPng((out / "mask.png").string(), frame);
  render::WriteImage((out / "image.png").string(), image);
  render::WriteImage((out / "overlay.png").string(),
                     render::MakeOverlay(image, frame, shaded, landmarks));

  nlohmann::json info;
  info["model"] = model.name;
  info["seed"] = FLAGS_seed;
  info["shape_coefficients"] = std::vector<double>(shape.data(), shape.data() + shape.size());
  info["expression_coefficients"] =
      std::vector<double>(expression.data(), expression.data() + expression.size());
  info["camera"] = {
      {"width", camera.width},
      {"height", camera.height},
      {"focal", camera.focal},
      {"principal_point", {camera.principal_point.x(), camera.principal_point.y()}},
      {"yaw_pitch_roll_deg", {FLAGS_yaw, FLAGS_pitch, FLAGS_roll}},
      {"translation", {camera.translation.x(), camera.translation.y(), camera.translation.z()}}};
  info["depth_png_range_mm"] = {{"z_near", range.z_near}, {"z_far", range.z_far}};
  info["covered_pixels"] = frame.CountCovered();
  WriteFileAtomically((out / "render.json").string(), info.dump(2) + "\n");
  return 0;
}

}  // namespace
}  // namespace morphfit

int main(int argc, char** argv) {
  morphfit::apps::ParseFlags(&argc, &argv,
                             "Renders the morphable model to depth, normal and mask maps.\n"
                             "Usage: morphfit-render --out DIR [--seed S] [--yaw DEG] ...");
  morphfit::CheckFlags();
  return morphfit::apps::RunApp(morphfit::Run);
}
