#include "morphfit/synth/photo_texture.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "morphfit/synth/synthetic_scene.h"
#include "shared_data.h"

namespace morphfit::synth {
namespace {

const model::MorphableModel& Sfm() {
  static const model::MorphableModel model =
      model::LoadModelDirectory(testing::RequireSharedPath("models/sfm"));
  return model;
}

SceneOptions NoiselessScene(double albedo_variation) {
  SceneOptions options = SceneOptions::PhotometricBenchmark();
  options.face.landmark_noise_px = 0;
  options.image_noise = 0;
  options.albedo_variation = albedo_variation;
  return options;
}

// Mean and standard deviation of one channel over the observed vertices.
std::pair<double, double> ObservedMeanAndStd(const PhotoTexture& texture,
                                             const Eigen::Matrix3Xd& values, int channel) {
  double sum = 0, sum2 = 0;
  int count = 0;
  for (int v = 0; v < values.cols(); ++v) {
    if (!texture.observed[v]) continue;
    sum += values(channel, v);
    sum2 += values(channel, v) * values(channel, v);
    ++count;
  }
  const double mean = sum / count;
  return {mean, std::sqrt(std::max(0.0, sum2 / count - mean * mean))};
}

TEST(PhotoTextureTest, UniformSkinComesOutFlatWhateverTheLighting) {
  const model::MorphableModel& model = Sfm();
  for (uint64_t seed : {3, 11}) {
    const SyntheticScene scene =
        MakeSyntheticScene(model, NoiselessScene(0.0), Corruption::kNone, seed);
    const PhotoTexture exact = TextureFromGeometry(
        model, scene.image,
        model.InstanceVertices(scene.face.shape_coefficients, scene.face.expression_coefficients),
        scene.face.camera, "scene");
    // Not 0: the photo's pixels carry normals interpolated across the bilinear footprint, which
    // differ from the vertex normal at creases (nostrils, lips, eye corners).
    EXPECT_LT(ObservedMeanAndStd(exact, exact.relative_albedo, 0).second, 0.02) << "seed " << seed;
    const PhotoTexture texture =
        ExtractPhotoTexture(model, scene.image, scene.face.clean_landmarks, "scene");
    ASSERT_EQ(texture.relative_albedo.cols(), model.num_vertices());
    EXPECT_GT(texture.observed_fraction, 0.4);
    // The photo's own colours vary with the shading; the texture must not.
    Eigen::Matrix3Xd shaded = Eigen::Matrix3Xd::Zero(3, model.num_vertices());
    for (int v = 0; v < model.num_vertices(); ++v) {
      const Eigen::Vector2d p = scene.face.camera.ProjectModelPoint(
          model.Vertex(v, scene.face.shape_coefficients, scene.face.expression_coefficients));
      const int x = std::clamp(static_cast<int>(std::lround(p.x())), 0, scene.image.cols - 1);
      const int y = std::clamp(static_cast<int>(std::lround(p.y())), 0, scene.image.rows - 1);
      const cv::Vec3f bgr = scene.image.at<cv::Vec3b>(y, x);
      shaded(0, v) = bgr[2] / 255.0;
    }
    const auto [photo_mean, photo_std] = ObservedMeanAndStd(texture, shaded, 0);
    const auto [texture_mean, texture_std] =
        ObservedMeanAndStd(texture, texture.relative_albedo, 0);
    EXPECT_NEAR(texture_mean, 1.0, 0.02) << "seed " << seed;
    EXPECT_LT(texture_std, 0.5 * photo_std / photo_mean) << "seed " << seed;
    EXPECT_LT(texture_std, 0.06) << "seed " << seed;
  }
}

// Pearson correlation of one channel of two per-vertex fields over the observed vertices.
double ObservedCorrelation(const PhotoTexture& texture, const Eigen::Matrix3Xd& a,
                           const Eigen::Matrix3Xd& b, int channel) {
  const auto [mean_a, std_a] = ObservedMeanAndStd(texture, a, channel);
  const auto [mean_b, std_b] = ObservedMeanAndStd(texture, b, channel);
  double covariance = 0;
  int count = 0;
  for (int v = 0; v < a.cols(); ++v) {
    if (!texture.observed[v]) continue;
    covariance += (a(channel, v) - mean_a) * (b(channel, v) - mean_b);
    ++count;
  }
  return covariance / count / (std_a * std_b);
}

TEST(PhotoTextureTest, FollowsTheTrueAlbedoPattern) {
  const model::MorphableModel& model = Sfm();
  const SyntheticScene scene = MakeSyntheticScene(model, NoiselessScene(0.3), Corruption::kNone, 5);
  const PhotoTexture exact = TextureFromGeometry(
      model, scene.image,
      model.InstanceVertices(scene.face.shape_coefficients, scene.face.expression_coefficients),
      scene.face.camera, "scene");
  const PhotoTexture fitted =
      ExtractPhotoTexture(model, scene.image, scene.face.clean_landmarks, "scene");
  for (int c = 0; c < 3; ++c) {
    EXPECT_GT(ObservedCorrelation(exact, exact.relative_albedo, scene.vertex_albedo, c), 0.97)
        << "channel " << c;
    // The landmark fit's shape error shades like albedo: the de-lighting leaves some of it.
    EXPECT_GT(ObservedCorrelation(fitted, fitted.relative_albedo, scene.vertex_albedo, c), 0.8)
        << "channel " << c;
  }
  // Unobserved vertices are filled within the bounds.
  for (int v = 0; v < model.num_vertices(); ++v) {
    for (int c = 0; c < 3; ++c) {
      EXPECT_GE(fitted.relative_albedo(c, v), 0.25);
      EXPECT_LE(fitted.relative_albedo(c, v), 1.75);
    }
  }
}

TEST(PhotoTextureTest, ScenesDrawTheirAlbedoFromTheTextures) {
  const model::MorphableModel& model = Sfm();
  PhotoTexture stripes;
  stripes.relative_albedo = Eigen::Matrix3Xd::Ones(3, model.num_vertices());
  for (int v = 0; v < model.num_vertices(); v += 2) stripes.relative_albedo.col(v) *= 0.5;
  SceneOptions options = NoiselessScene(0.15);
  options.albedo_textures = std::make_shared<std::vector<PhotoTexture>>(1, stripes);
  const SyntheticScene scene = MakeSyntheticScene(model, options, Corruption::kNone, 7);
  // Every even vertex half as bright as its odd neighbour (or its mirror image, when mirrored).
  int halves = 0;
  for (int v = 0; v + 1 < model.num_vertices(); v += 2) {
    const double ratio = scene.vertex_albedo(0, v) / scene.vertex_albedo(0, v + 1);
    halves += std::abs(ratio - 0.5) < 1e-9 || std::abs(ratio - 2.0) < 1e-9;
  }
  EXPECT_GT(halves, model.num_vertices() / 2 * 0.9);
}

TEST(PhotoTextureTest, DirectoryErrorsNameTheDirectory) {
  const model::MorphableModel& model = Sfm();
  try {
    ExtractPhotoTextures(model, "/nonexistent/photos");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/photos"), std::string::npos);
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "morphfit_photo_texture_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "broken.jpg") << "not a jpeg";
  std::ofstream(dir / "broken.pts") << "not landmarks";
  std::vector<std::string> skipped;
  try {
    ExtractPhotoTextures(model, dir.string(), &skipped);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no photo"), std::string::npos) << e.what();
  }
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("broken.jpg"), std::string::npos) << skipped[0];
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace morphfit::synth
