#include "morphfit/solver/synthetic_scene.h"

#include <algorithm>
#include <ctime>
#include <cmath>
#include <random>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "morphfit/model/error.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"

namespace morphfit::solver {

namespace {

constexpr double kDegree = M_PI / 180.0;

double Uniform(std::mt19937_64& random, double low, double high) {
  return low + (high - low) * std::generate_canonical<double, 53>(random);
}

// A smooth random pattern over model space: a few low-frequency plane waves.
Eigen::Matrix3Xd SmoothAlbedo(const model::MorphableModel& model, double variation,
                              std::mt19937_64& random) {
  const Eigen::Vector3d skin(Uniform(random, 0.55, 0.8), Uniform(random, 0.4, 0.55),
                             Uniform(random, 0.3, 0.45));
  const Eigen::Matrix3Xd points =
      Eigen::Map<const Eigen::Matrix3Xd>(model.mean.data(), 3, model.num_vertices());
  Eigen::Matrix3Xd albedo = skin.replicate(1, model.num_vertices());
  for (int wave = 0; wave < 4; ++wave) {
    // Wavelengths of 60-200 mm; |x| keeps the pattern near-symmetric like a face's.
    const double k = 2 * M_PI / Uniform(random, 60.0, 200.0);
    const double angle = Uniform(random, 0, 2 * M_PI), phase = Uniform(random, 0, 2 * M_PI);
    const Eigen::Vector3d tint(Uniform(random, 0.6, 1.0), Uniform(random, 0.6, 1.0),
                               Uniform(random, 0.6, 1.0));
    for (int v = 0; v < points.cols(); ++v) {
      const double s = std::sin(k * (std::cos(angle) * std::abs(points(0, v)) +
                                     std::sin(angle) * points(1, v)) +
                                phase);
      albedo.col(v) += 0.5 * variation * s * tint;
    }
  }
  return albedo.cwiseMax(0.05).cwiseMin(0.95);
}

// Background: smooth colour blobs plus fine texture, so the silhouette has contrast and
// samples that leak off the face see something unlike skin.
cv::Mat TexturedBackground(int width, int height, std::mt19937_64& random) {
  cv::Mat coarse(8, 8, CV_32FC3), fine(height, width, CV_32FC3);
  for (int y = 0; y < coarse.rows; ++y) {
    for (int x = 0; x < coarse.cols; ++x) {
      coarse.at<cv::Vec3f>(y, x) = cv::Vec3f(Uniform(random, 0.05, 0.95),
                                             Uniform(random, 0.05, 0.95),
                                             Uniform(random, 0.05, 0.95));
    }
  }
  cv::Mat background;
  cv::resize(coarse, background, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
  const double period = Uniform(random, 6.0, 20.0);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const float stripes = static_cast<float>(
          0.15 * std::sin(2 * M_PI * (x + 0.5 * y) / period) * std::cos(2 * M_PI * y / period));
      background.at<cv::Vec3f>(y, x) += cv::Vec3f(stripes, stripes, stripes);
    }
  }
  return background;
}

}  // namespace

SyntheticScene MakeSyntheticScene(const model::MorphableModel& model,
                                  const SyntheticSceneOptions& options, uint64_t seed) {
  SyntheticScene scene;
  scene.face = MakeSyntheticFace(model, options.face, seed);
  // A separate stream, so the face is the same as MakeSyntheticFace's for this seed.
  std::mt19937_64 random(seed ^ 0x9e3779b97f4a7c15ULL);
  scene.vertex_albedo = SmoothAlbedo(model, options.albedo_variation, random);

  const double ambient = Uniform(random, options.min_ambient, options.max_ambient);
  const Eigen::Vector3d tint(Uniform(random, 0.85, 1.15), Uniform(random, 0.85, 1.15),
                             Uniform(random, 0.85, 1.15));
  const double angle = Uniform(random, 0, options.max_light_angle_deg) * kDegree;
  const double azimuth = Uniform(random, 0, 2 * M_PI);
  // Towards the light, in camera space (the camera looks along +z, so lights on its side have
  // negative z).
  const Eigen::Vector3d direction(std::sin(angle) * std::cos(azimuth),
                                  std::sin(angle) * std::sin(azimuth), -std::cos(angle));
  const double directional = Uniform(random, options.min_directional, options.max_directional);
  scene.lighting = render::AmbientLight(ambient * tint) +
                   render::DirectionalLight(direction, directional * tint);

  const Eigen::Matrix3Xd vertices =
      model.InstanceVertices(scene.face.shape_coefficients, scene.face.expression_coefficients);
  scene.truth = render::RenderModelSpaceMesh(vertices, model.triangles, scene.face.camera);
  const cv::Mat shaded =
      render::ShadeFrame(scene.truth, model.triangles, scene.vertex_albedo, scene.lighting);
  cv::Mat image = TexturedBackground(scene.truth.width, scene.truth.height, random);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      if (scene.truth.Covered(x, y)) image.at<cv::Vec3f>(y, x) = shaded.at<cv::Vec3f>(y, x);
    }
  }
  cv::Mat noise(image.size(), CV_32FC3);
  cv::RNG rng(seed);  // OpenCV's generator: the same noise on every platform
  rng.fill(noise, cv::RNG::NORMAL, 0.0, options.image_noise);
  image += noise;
  image.convertTo(scene.image, CV_8UC3, 255.0);
  return scene;
}

DepthComparison CompareFrames(const render::Frame& truth, const render::Frame& fitted) {
  if (truth.width != fitted.width || truth.height != fitted.height) {
    throw Error("compare frames: sizes differ");
  }
  std::vector<double> differences;
  double normal_error = 0;
  int truth_pixels = 0;
  for (int i = 0; i < truth.num_pixels(); ++i) {
    if (!truth.Covered(i)) continue;
    ++truth_pixels;
    if (!fitted.Covered(i)) continue;
    differences.push_back(static_cast<double>(fitted.depth[i]) - truth.depth[i]);
    if (truth.has_normals() && fitted.has_normals()) {
      const double c = std::clamp(
          static_cast<double>(truth.Normal(i).normalized().dot(fitted.Normal(i).normalized())),
          -1.0, 1.0);
      normal_error += std::acos(c);
    }
  }
  DepthComparison result;
  if (differences.empty()) return result;
  const double n = static_cast<double>(differences.size());
  double sum_squares = 0;
  for (double d : differences) sum_squares += d * d;
  result.depth_rmse_mm = std::sqrt(sum_squares / n);
  std::vector<double> sorted = differences;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double median = sorted[sorted.size() / 2];
  double aligned = 0;
  for (double d : differences) aligned += (d - median) * (d - median);
  result.aligned_depth_rmse_mm = std::sqrt(aligned / n);
  result.mean_normal_error_deg = normal_error / n / kDegree;
  result.coverage = n / truth_pixels;
  return result;
}

namespace {
render::Frame RenderFit(const model::MorphableModel& model, const FitResult& fit) {
  return render::RenderModelSpaceMesh(
      model.InstanceVertices(fit.shape_coefficients, fit.expression_coefficients),
      model.triangles, fit.camera);
}
}  // namespace

SyntheticFitOutcome FitSyntheticScene(const model::MorphableModel& model,
                                      const SyntheticScene& scene, const FitOptions& fit_options,
                                      const PhotometricOptions& photo_options) {
  SyntheticFitOutcome outcome;
  // Processor time, not wall time: the fit is single-threaded, and this stays meaningful on a
  // loaded machine.
  const std::clock_t start = std::clock();
  FitResult fit = Fit(model, scene.face.landmarks, {scene.image.cols, scene.image.rows},
                      fit_options);
  const std::clock_t landmarks_done = std::clock();
  outcome.landmark_seconds = static_cast<double>(landmarks_done - start) / CLOCKS_PER_SEC;
  outcome.landmarks = CompareFrames(scene.truth, RenderFit(model, fit));
  outcome.photometric_stage =
      RunPhotometricStage(model, scene.image, scene.face.landmarks, fit_options, photo_options, fit);
  outcome.photometric_seconds =
      static_cast<double>(std::clock() - landmarks_done) / CLOCKS_PER_SEC;
  outcome.photometric = CompareFrames(scene.truth, RenderFit(model, fit));
  return outcome;
}

}  // namespace morphfit::solver
