#include "morphfit/pipeline/fit_image.h"

#include <chrono>
#include <filesystem>

#include "morphfit/detect/image_reading.h"
#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/model/mesh_io.h"
#include "morphfit/pipeline/fit_json.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/render/shading.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/solver/shading_residuals.h"
#include "staged_folder.h"

namespace morphfit::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsBetween(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

Landmarks ReadLandmarks(const ImageInput& input, const cv::Mat& image,
                        const LandmarkSource& landmark_source, std::string& origin) {
  if (input.landmarks) {
    origin = input.landmarks_origin.empty() ? "given landmarks" : input.landmarks_origin;
    return *input.landmarks;
  }
  if (!input.landmarks_path.empty()) {
    origin = input.landmarks_path;
    const std::string extension = std::filesystem::path(input.landmarks_path).extension().string();
    return extension == ".json" ? ReadLandmarksJson(input.landmarks_path)
                                : ReadPts(input.landmarks_path);
  }
  if (landmark_source) {
    origin = "detected in " + input.image_path;
    return landmark_source(image, input.image_path);
  }
  throw FileError(input.image_path, "no landmarks given and no landmark detector available");
}

// A fixed studio light for the overlay: the landmark fit estimates no lighting.
render::ShLighting OverlayLighting() {
  return render::AmbientLight(Eigen::Vector3d::Constant(0.45)) +
         render::DirectionalLight(Eigen::Vector3d(-0.3, -0.4, -1.0).normalized(),
                                  Eigen::Vector3d::Constant(0.65));
}

struct RenderedFit {
  render::Frame frame;
  Eigen::Matrix3Xd camera_vertices;
  Eigen::Matrix3Xd camera_normals;
  cv::Mat overlay;
};

RenderedFit RenderFit(const model::MorphableModel& model, const solver::FitResult& fit,
                      const cv::Mat& image, const render::OverlayOptions& overlay_options) {
  RenderedFit rendered;
  const Eigen::Matrix3Xd vertices =
      model.InstanceVertices(fit.shape_coefficients, fit.expression_coefficients);
  const Eigen::Matrix3Xd normals = model::VertexNormals(vertices, model.triangles);
  render::TransformToCamera(fit.camera, vertices, rendered.camera_vertices);
  render::RotateNormals(fit.camera, normals, rendered.camera_normals);
  render::Rasterizer rasterizer;
  rasterizer.Render({&rendered.camera_vertices, &model.triangles, &rendered.camera_normals},
                    fit.camera, rendered.frame);
  // After the photometric stage the overlay shows the fitted albedo under the fitted lighting,
  // so a good fit blends into the photo; before it, a grey face under a fixed light.
  const bool photometric = fit.vertex_albedo.cols() == model.num_vertices();
  const Eigen::Matrix3Xd albedo =
      photometric ? fit.vertex_albedo : Eigen::Matrix3Xd::Constant(3, model.num_vertices(), 0.8);
  const cv::Mat shaded = render::ShadeFrame(rendered.frame, model.triangles, albedo,
                                            photometric ? fit.lighting : OverlayLighting());
  rendered.overlay =
      render::MakeOverlay(image, rendered.frame, shaded, fit.fitted_landmarks, overlay_options);
  return rendered;
}

}  // namespace

FitStages ParseFitStages(const std::string& name) {
  if (name == "landmarks") return FitStages::kLandmarks;
  if (name == "photometric") return FitStages::kPhotometric;
  throw Error("stages '" + name + "': expected landmarks or photometric");
}

std::string FitStagesName(FitStages stages) {
  return stages == FitStages::kLandmarks ? "landmarks" : "photometric";
}

void PipelineOptions::Validate() const {
  fit.Validate();
  photometric.Validate();
  overlay.Check();
  quality.Validate();
}

std::string ProgramVersion() { return MORPHFIT_VERSION; }

ImageResult FitImage(const model::MorphableModel& model, const ImageInput& input,
                     const std::string& output_dir, const PipelineOptions& options,
                     const LandmarkSource& landmark_source) {
  const Clock::time_point start = Clock::now();
  options.Validate();
  if (!options.overwrite && std::filesystem::exists(output_dir)) {
    throw FileError(output_dir, "output folder exists (pass overwrite to replace it)");
  }
  ImageResult result;
  result.output_dir = output_dir;

  // Everything that can reject the input happens before the output folder exists.
  if (!input.pixels.empty() && input.pixels.type() != CV_8UC3) {
    throw FileError(input.image_path, "the decoded pixels given are not 8-bit BGR");
  }
  const cv::Mat image =
      input.pixels.empty() ? detect::ReadColorImage(input.image_path) : input.pixels;
  result.width = image.cols;
  result.height = image.rows;
  std::string origin;
  result.input_landmarks = ReadLandmarks(input, image, landmark_source, origin);
  ValidateLandmarks(result.input_landmarks, result.width, result.height, origin);
  const Clock::time_point read_done = Clock::now();

  try {
    result.fit =
        solver::Fit(model, result.input_landmarks, {result.width, result.height}, options.fit);
    if (options.stages == FitStages::kPhotometric) {
      solver::RunPhotometricStage(model, image, result.input_landmarks, options.fit,
                                  options.photometric, result.fit);
    }
  } catch (const Error& e) {
    // The solver knows the numbers, not the file: a batch log line must name the image.
    throw FileError(input.image_path, std::string("fit failed: ") + e.what());
  }
  const Clock::time_point fit_done = Clock::now();

  const RenderedFit rendered = RenderFit(model, result.fit, image, options.overlay);
  solver::FitObservations observations;
  observations.shading = solver::ComputeShadingResiduals(image, rendered.frame);
  result.statistics =
      solver::ComputeFitStatistics(model, result.fit, result.input_landmarks, observations);
  result.quality = solver::Assess(result.statistics, options.quality);
  const Clock::time_point render_done = Clock::now();

  StagedFolder folder(output_dir, options.overwrite,
                      {"depth.npy", "depth.png", "normals.npy", "normals.png", "mask.png",
                       "overlay.png", "mesh.obj", "landmarks.pts", "fit.json"});
  const render::DepthRange depth_range = render::CoveredDepthRange(rendered.frame);
  render::WriteDepthNpy(folder.File("depth.npy"), rendered.frame);
  render::WriteDepthPng(folder.File("depth.png"), rendered.frame, depth_range);
  render::WriteNormalsNpy(folder.File("normals.npy"), rendered.frame);
  render::WriteNormalsPng(folder.File("normals.png"), rendered.frame);
  render::WriteMaskPng(folder.File("mask.png"), rendered.frame);
  render::WriteImage(folder.File("overlay.png"), rendered.overlay);
  model::MeshView mesh;
  mesh.vertices = &rendered.camera_vertices;
  mesh.triangles = &model.triangles;
  mesh.normals = &rendered.camera_normals;
  model::WriteObj(folder.File("mesh.obj"), mesh);
  WritePts(folder.File("landmarks.pts"), result.fit.fitted_landmarks);
  const Clock::time_point write_done = Clock::now();

  result.timings.read = SecondsBetween(start, read_done);
  result.timings.fit = SecondsBetween(read_done, fit_done);
  result.timings.render = SecondsBetween(fit_done, render_done);
  result.timings.write = SecondsBetween(render_done, write_done);
  result.timings.total = SecondsBetween(start, write_done);
  ImageInput recorded = input;
  if (recorded.landmarks_origin.empty()) recorded.landmarks_origin = origin;
  WriteFileAtomically(folder.File("fit.json"),
                      FitJson(model, recorded, result, options, depth_range));
  folder.Commit();
  return result;
}

ImageOutcome TryFitImage(const model::MorphableModel& model, const ImageInput& input,
                         const std::string& output_dir, const PipelineOptions& options,
                         const LandmarkSource& landmark_source) noexcept {
  ImageOutcome outcome;
  try {
    outcome.result = FitImage(model, input, output_dir, options, landmark_source);
    outcome.ok = true;
  } catch (const std::exception& e) {
    outcome.error = e.what();
  } catch (...) {
    outcome.error = input.image_path + ": unknown error";
  }
  return outcome;
}

}  // namespace morphfit::pipeline
