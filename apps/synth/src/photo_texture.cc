#include "morphfit/synth/photo_texture.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "morphfit/model/error.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/render/shading.h"
#include "morphfit/render/visibility.h"
#include "morphfit/solver/albedo_estimate.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/lighting_estimate.h"

namespace morphfit::synth {
namespace {

// Vertices seen more obliquely than this (cosine of the angle between normal and view ray) take
// no colour: their pixels mix skin with what lies beyond the silhouette.
constexpr double kMinFacing = 0.3;
// Relative albedo is kept within these bounds: beyond them the de-lighting divided by shading it
// got wrong (cast shadows, specular highlights), not by skin.
// How far (mm) the surface a pixel shows may lie from the vertex for the pixel to count as the
// vertex's: a pixel is about 0.5-1 mm on the faces of the sample photos, and surfaces facing the
// camera at kMinFacing or more rise at most 3.2 times that across it.
constexpr double kMaxDepthGap = 3.0;
constexpr double kMinRelativeAlbedo = 0.25;
constexpr double kMaxRelativeAlbedo = 1.75;

// Whether the four pixels the bilinear sample at `pixel` reads all show the surface at `depth`
// (mm): none is background or an occluder, so the colour is the vertex's own.
bool OnSurface(const render::Frame& frame, const Eigen::Vector2d& pixel, double depth) {
  const int x0 = static_cast<int>(std::floor(pixel.x())),
            y0 = static_cast<int>(std::floor(pixel.y()));
  if (x0 < 0 || y0 < 0 || x0 + 1 >= frame.width || y0 + 1 >= frame.height) return false;
  for (int dy = 0; dy < 2; ++dy) {
    for (int dx = 0; dx < 2; ++dx) {
      const int i = frame.Index(x0 + dx, y0 + dy);
      if (!frame.Covered(i) || std::abs(frame.depth[i] - depth) > kMaxDepthGap) return false;
    }
  }
  return true;
}

Eigen::Vector3d SampleRgb(const cv::Mat& image, const Eigen::Vector2d& p) {
  const int x0 = static_cast<int>(std::floor(p.x())), y0 = static_cast<int>(std::floor(p.y()));
  const double fx = p.x() - x0, fy = p.y() - y0;
  Eigen::Vector3d rgb = Eigen::Vector3d::Zero();
  for (int dy = 0; dy < 2; ++dy) {
    for (int dx = 0; dx < 2; ++dx) {
      const cv::Vec3b& bgr = image.at<cv::Vec3b>(y0 + dy, x0 + dx);
      const double w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
      rgb += w * Eigen::Vector3d(bgr[2], bgr[1], bgr[0]) / 255.0;
    }
  }
  return rgb;
}

// Gives every unobserved vertex its mirror vertex's value when that one was observed, then the
// mean of its filled neighbours, ring by ring.
void FillUnobserved(const model::MorphableModel& model, std::vector<bool>& filled,
                    Eigen::Matrix3Xd& albedo) {
  const int n = model.num_vertices();
  if (static_cast<int>(model.symmetry.size()) == n) {
    const std::vector<bool> observed = filled;
    for (int v = 0; v < n; ++v) {
      const int mirror = model.symmetry[v];
      if (!observed[v] && mirror >= 0 && observed[mirror]) {
        albedo.col(v) = albedo.col(mirror);
        filled[v] = true;
      }
    }
  }
  const std::vector<std::pair<int, int>> edges = solver::MeshEdges(model.triangles);
  for (bool changed = true; changed;) {
    changed = false;
    Eigen::Matrix3Xd sum = Eigen::Matrix3Xd::Zero(3, n);
    std::vector<int> count(n, 0);
    for (const auto& [u, v] : edges) {
      if (filled[u] && !filled[v]) sum.col(v) += albedo.col(u), ++count[v];
      if (filled[v] && !filled[u]) sum.col(u) += albedo.col(v), ++count[u];
    }
    for (int v = 0; v < n; ++v) {
      if (count[v] == 0) continue;
      albedo.col(v) = sum.col(v) / count[v];
      filled[v] = true;
      changed = true;
    }
  }
  for (int v = 0; v < n; ++v) {
    if (!filled[v]) albedo.col(v).setOnes();  // a vertex on no edge
  }
}

}  // namespace

PhotoTexture ExtractPhotoTexture(const model::MorphableModel& model, const cv::Mat& image,
                                 const Landmarks& landmarks, const std::string& source) {
  if (image.empty() || image.type() != CV_8UC3) {
    throw Error(source + ": photo texture needs an 8-bit colour image");
  }
  ValidateLandmarks(landmarks, image.cols, image.rows, source);
  const solver::FitResult fit =
      solver::Fit(model, landmarks, {image.cols, image.rows}, solver::FitOptions());
  return TextureFromGeometry(
      model, image, model.InstanceVertices(fit.shape_coefficients, fit.expression_coefficients),
      fit.camera, source);
}

PhotoTexture TextureFromGeometry(const model::MorphableModel& model, const cv::Mat& image,
                                 const Eigen::Matrix3Xd& vertices, const render::Camera& camera,
                                 const std::string& source) {
  if (image.empty() || image.type() != CV_8UC3) {
    throw Error(source + ": photo texture needs an 8-bit colour image");
  }
  Eigen::Matrix3Xd camera_vertices, camera_normals;
  render::TransformToCamera(camera, vertices, camera_vertices);
  render::RotateNormals(camera, model::VertexNormals(vertices, model.triangles), camera_normals);
  const render::Frame frame = render::RenderModelSpaceMesh(vertices, model.triangles, camera);
  const std::vector<bool> visible = render::VisibleVertices(camera_vertices, camera, frame);

  const int n = model.num_vertices();
  Eigen::Matrix3Xd colour = Eigen::Matrix3Xd::Zero(3, n);
  std::vector<bool> observed(n, false);
  std::vector<solver::ShadingObservation> observations;
  std::vector<int> observed_vertices;
  for (int v = 0; v < n; ++v) {
    if (!visible[v]) continue;
    const Eigen::Vector3d p = camera_vertices.col(v);
    const Eigen::Vector3d normal = camera_normals.col(v);
    if (-normal.dot(p.normalized()) < kMinFacing) continue;
    const Eigen::Vector2d pixel = camera.Project(p);
    if (!OnSurface(frame, pixel, p.z())) continue;
    colour.col(v) = SampleRgb(image, pixel);
    solver::ShadingObservation o;
    render::ShBasis(normal.x(), normal.y(), normal.z(), o.sh.data());
    o.colour = colour.col(v);
    observations.push_back(o);
    observed_vertices.push_back(v);
    observed[v] = true;
  }
  if (observations.size() < 100) {
    throw Error(source + ": the fitted face shows only " + std::to_string(observations.size()) +
                " vertices");
  }
  // The photo's lighting times the face's mean colour (one albedo for all vertices); what it does
  // not explain is the skin's.
  const render::ShLighting lighting = solver::SolveLighting(
      observations, std::vector<Eigen::Vector3d>(observations.size(), Eigen::Vector3d::Ones()),
      1e-3);
  PhotoTexture texture;
  texture.source = source;
  texture.relative_albedo = Eigen::Matrix3Xd::Ones(3, n);
  for (size_t i = 0; i < observations.size(); ++i) {
    const Eigen::Vector3d shading = (observations[i].sh.transpose() * lighting).transpose();
    for (int c = 0; c < 3; ++c) {
      texture.relative_albedo(c, observed_vertices[i]) =
          observations[i].colour[c] / std::max(shading[c], 1e-3);
    }
  }
  // Mean 1 per channel over the observed vertices, then bounded.
  for (int c = 0; c < 3; ++c) {
    double sum = 0;
    for (int v : observed_vertices) sum += texture.relative_albedo(c, v);
    const double mean = sum / observed_vertices.size();
    for (int v : observed_vertices) {
      texture.relative_albedo(c, v) =
          std::clamp(texture.relative_albedo(c, v) / mean, kMinRelativeAlbedo, kMaxRelativeAlbedo);
    }
  }
  texture.observed = observed;
  texture.observed_fraction = static_cast<double>(observed_vertices.size()) / n;
  FillUnobserved(model, observed, texture.relative_albedo);
  return texture;
}

std::vector<PhotoTexture> ExtractPhotoTextures(const model::MorphableModel& model,
                                               const std::string& directory,
                                               std::vector<std::string>* skipped) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(directory)) {
    throw Error(directory + ": no such directory of photos for albedo textures");
  }
  std::vector<fs::path> photos;
  for (const auto& entry : fs::directory_iterator(directory)) {
    const std::string ext = entry.path().extension().string();
    if ((ext == ".jpg" || ext == ".png") &&
        fs::exists(fs::path(entry.path()).replace_extension(".pts"))) {
      photos.push_back(entry.path());
    }
  }
  std::sort(photos.begin(), photos.end());
  std::vector<PhotoTexture> textures;
  for (const fs::path& photo : photos) {
    try {
      const cv::Mat image = cv::imread(photo.string(), cv::IMREAD_COLOR);
      if (image.empty()) throw Error(photo.string() + ": cannot read the image");
      textures.push_back(ExtractPhotoTexture(
          model, image, ReadPts(fs::path(photo).replace_extension(".pts").string()),
          photo.string()));
    } catch (const Error& e) {
      if (skipped != nullptr) skipped->push_back(e.what());
    }
  }
  if (textures.empty()) throw Error(directory + ": no photo with a .pts gave an albedo texture");
  return textures;
}

}  // namespace morphfit::synth
