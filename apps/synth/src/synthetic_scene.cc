#include "morphfit/synth/synthetic_scene.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "morphfit/model/error.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/render/shading.h"

namespace morphfit::synth {
namespace {

constexpr double kDegree = M_PI / 180.0;
constexpr int kMaxAttempts = 64;

// A face whose landmarks fall inside the image, with |yaw| in [min_yaw, options' max] degrees.
solver::SyntheticFace DrawFace(const model::MorphableModel& model,
                               const solver::SyntheticFaceOptions& options, double min_abs_yaw_deg,
                               uint64_t seed) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    try {
      solver::SyntheticFace face =
          solver::MakeSyntheticFace(model, options, seed * kMaxAttempts + attempt);
      if (std::abs(face.yaw) >= min_abs_yaw_deg * kDegree) return face;
    } catch (const Error&) {
      // A landmark left the image: draw again.
    }
  }
  throw Error("synthetic scene " + std::to_string(seed) + ": no face fits the image after " +
              std::to_string(kMaxAttempts) + " draws");
}

// Skin-like base colour times a smooth pattern over the mean shape (a few plane waves of
// 20-60 mm wavelength), so that albedo varies like skin does and not like texture.
Eigen::Vector3d SkinColour(cv::RNG& rng) {
  const double red = rng.uniform(0.55, 0.85);
  const double green = red * rng.uniform(0.7, 0.85);
  const double blue = green * rng.uniform(0.75, 0.95);
  return {red, green, blue};
}

Eigen::Matrix3Xd SmoothAlbedo(const model::MorphableModel& model, double variation, cv::RNG& rng) {
  const Eigen::Vector3d skin = SkinColour(rng);
  constexpr int kWaves = 3;
  Eigen::Vector3d direction[kWaves];
  double phase[kWaves];
  for (int k = 0; k < kWaves; ++k) {
    direction[k] = Eigen::Vector3d(rng.gaussian(1), rng.gaussian(1), rng.gaussian(1)).normalized() *
                   (2 * M_PI / rng.uniform(20.0, 60.0));
    phase[k] = rng.uniform(0.0, 2 * M_PI);
  }
  Eigen::Matrix3Xd albedo(3, model.num_vertices());
  for (int v = 0; v < model.num_vertices(); ++v) {
    const Eigen::Vector3d p = model.mean.segment<3>(3 * v);
    double pattern = 0;
    for (int k = 0; k < kWaves; ++k) pattern += std::sin(direction[k].dot(p) + phase[k]) / kWaves;
    const double scale = 1.0 + variation * pattern;
    albedo.col(v) = (skin * scale).cwiseMax(0.0).cwiseMin(1.0);
  }
  return albedo;
}

// One of the photo textures, mirrored half of the time, in the scene's skin colour.
Eigen::Matrix3Xd TextureAlbedo(const model::MorphableModel& model,
                               const std::vector<PhotoTexture>& textures, cv::RNG& rng) {
  const Eigen::Vector3d skin = SkinColour(rng);
  const PhotoTexture& texture = textures[rng.uniform(0, static_cast<int>(textures.size()))];
  const bool mirrored =
      rng.uniform(0, 2) == 1 && static_cast<int>(model.symmetry.size()) == model.num_vertices();
  // The textures keep some of their photo's highlights: the brightest 2% of the face is held
  // within the smooth pattern's envelope (skin colour x 1.15), so that a scene saturates no more
  // often than a smooth-albedo one.
  std::vector<double> brightness(texture.relative_albedo.row(0).data(),
                                 texture.relative_albedo.row(0).data() + model.num_vertices());
  std::nth_element(brightness.begin(), brightness.begin() + brightness.size() * 98 / 100,
                   brightness.end());
  const double scale = std::min(1.0, 1.15 / brightness[brightness.size() * 98 / 100]);
  Eigen::Matrix3Xd albedo(3, model.num_vertices());
  for (int v = 0; v < model.num_vertices(); ++v) {
    const int source = mirrored && model.symmetry[v] >= 0 ? model.symmetry[v] : v;
    albedo.col(v) = (scale * skin.cwiseProduct(texture.relative_albedo.col(source)))
                        .cwiseMax(0.0)
                        .cwiseMin(1.0);
  }
  return albedo;
}

struct Lighting {
  render::ShLighting sh;
  Eigen::Vector3d direction;  // towards the directional light
  double strength = 0;        // of the directional light
  double ambient = 0;
};

Lighting RandomLighting(cv::RNG& rng) {
  const double ambient = rng.uniform(0.5, 0.9);
  const Eigen::Vector3d tint(rng.uniform(0.95, 1.05), 1.0, rng.uniform(0.95, 1.05));
  // Camera space: z forward, so a light on the camera's side has a negative z direction.
  const Eigen::Vector3d direction =
      Eigen::Vector3d(rng.uniform(-1.0, 1.0), rng.uniform(-0.8, 0.8), -rng.uniform(0.3, 1.2))
          .normalized();
  const double strength = rng.uniform(0.2, 0.6);
  return {render::AmbientLight(ambient * tint) +
              render::DirectionalLight(direction, Eigen::Vector3d::Constant(strength)),
          direction, strength, ambient};
}

cv::Scalar RandomColor(cv::RNG& rng) {
  return cv::Scalar(rng.uniform(0.0, 1.0), rng.uniform(0.0, 1.0), rng.uniform(0.0, 1.0));
}

// Clutter: a smooth colour field with random lines, boxes and discs on it (CV_32FC3, [0, 1]).
cv::Mat TexturedBackground(int width, int height, cv::RNG& rng) {
  cv::Mat coarse(6, 6, CV_32FC3);
  rng.fill(coarse, cv::RNG::UNIFORM, cv::Scalar::all(0.1), cv::Scalar::all(0.9));
  cv::Mat background;
  cv::resize(coarse, background, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
  for (int i = 0; i < 40; ++i) {
    const cv::Point a(rng.uniform(0, width), rng.uniform(0, height));
    const cv::Point b(rng.uniform(0, width), rng.uniform(0, height));
    switch (rng.uniform(0, 3)) {
      case 0:
        cv::line(background, a, b, RandomColor(rng), rng.uniform(1, 6), cv::LINE_AA);
        break;
      case 1:
        cv::rectangle(background, a, b, RandomColor(rng), rng.uniform(-1, 4));
        break;
      default:
        cv::circle(background, a, rng.uniform(3, std::max(4, width / 10)), RandomColor(rng), -1,
                   cv::LINE_AA);
    }
  }
  cv::GaussianBlur(background, background, cv::Size(3, 3), 0);
  return cv::min(cv::max(background, 0.0), 1.0);
}

double EyeDistance(const Landmarks& landmarks) { return OuterEyeCornerDistance(landmarks); }

void Jitter(Landmarks& landmarks, double sigma, cv::RNG& rng) {
  for (int i = 0; i < landmarks.rows(); ++i) {
    landmarks(i, 0) += rng.gaussian(sigma);
    landmarks(i, 1) += rng.gaussian(sigma);
  }
}

// A filled ellipse of striped random colour over part of the face; returns its mask.
cv::Mat DrawOccluder(cv::Mat& image, const Landmarks& landmarks, cv::RNG& rng) {
  const Eigen::Vector2d low = landmarks.colwise().minCoeff().transpose();
  const Eigen::Vector2d high = landmarks.colwise().maxCoeff().transpose();
  const double size = (high - low).maxCoeff();
  const int anchor = rng.uniform(0, static_cast<int>(landmarks.rows()));
  const cv::Point centre(static_cast<int>(landmarks(anchor, 0)),
                         static_cast<int>(landmarks(anchor, 1)));
  const cv::Size axes(static_cast<int>(size * rng.uniform(0.25, 0.45)),
                      static_cast<int>(size * rng.uniform(0.25, 0.45)));
  cv::Mat mask(image.size(), CV_8U, cv::Scalar(0));
  cv::ellipse(mask, centre, axes, rng.uniform(0.0, 180.0), 0, 360, cv::Scalar(255), -1);
  cv::Mat pattern(image.size(), CV_32FC3, RandomColor(rng));
  const cv::Scalar stripe = RandomColor(rng);
  const int period = rng.uniform(4, 16);
  for (int y = 0; y < pattern.rows; y += 2 * period) {
    cv::rectangle(pattern, cv::Point(0, y), cv::Point(pattern.cols, y + period - 1), stripe, -1);
  }
  pattern.copyTo(image, mask);
  return mask;
}

// Keeps corrupted landmarks inside the image so that the fit runs (the app would refuse them).
void ClampToImage(Landmarks& landmarks, int width, int height) {
  for (int i = 0; i < landmarks.rows(); ++i) {
    landmarks(i, 0) = std::clamp(landmarks(i, 0), 0.0, width - 1.0);
    landmarks(i, 1) = std::clamp(landmarks(i, 1), 0.0, height - 1.0);
  }
}

}  // namespace

const char* CorruptionName(Corruption corruption) {
  switch (corruption) {
    case Corruption::kNone:
      return "none";
    case Corruption::kJitteredLandmarks:
      return "jittered_landmarks";
    case Corruption::kOtherFace:
      return "other_face";
    case Corruption::kMirroredLandmarks:
      return "mirrored_landmarks";
    case Corruption::kOccluder:
      return "occluder";
    case Corruption::kExtremePose:
      return "extreme_pose";
    case Corruption::kNonFace:
      return "non_face";
  }
  return "unknown";
}

SyntheticScene MakeSyntheticScene(const model::MorphableModel& model, const SceneOptions& options,
                                  Corruption corruption, uint64_t seed) {
  SyntheticScene scene;
  scene.corruption = corruption;
  scene.has_face = corruption != Corruption::kNonFace;
  cv::RNG rng(seed * 2654435761ULL + 12345);
  const int width = options.face.width, height = options.face.height;

  solver::SyntheticFaceOptions face_options = options.face;
  double min_abs_yaw = 0;
  if (corruption == Corruption::kExtremePose) {
    face_options.max_abs_yaw_deg = options.extreme_max_yaw_deg;
    min_abs_yaw = options.extreme_min_yaw_deg;
  }
  scene.face = DrawFace(model, face_options, min_abs_yaw, 2 * seed);
  const RealismOptions& realism = options.realism;
  const bool textured = options.albedo_textures && !options.albedo_textures->empty();
  scene.vertex_albedo = textured ? TextureAlbedo(model, *options.albedo_textures, rng)
                                 : SmoothAlbedo(model, options.albedo_variation, rng);
  // A photo's texture has its own brows, eyes and lips.
  if (realism.enabled && realism.feature_albedo && !textured)
    AddFeatureAlbedo(model, scene.face, scene.vertex_albedo, rng);
  const Lighting lighting = RandomLighting(rng);

  cv::Mat image = TexturedBackground(width, height, rng);
  if (scene.has_face) {
    Eigen::Matrix3Xd vertices =
        model.InstanceVertices(scene.face.shape_coefficients, scene.face.expression_coefficients);
    if (realism.enabled) {
      AddOutOfModelDetail(realism, vertices, rng);
      // The true landmarks move with the surface detail.
      for (int i = 0; i < scene.face.clean_landmarks.rows(); ++i) {
        const int v = scene.face.landmark_vertices[i];
        if (v < 0) continue;
        scene.face.clean_landmarks.row(i) =
            scene.face.camera.ProjectModelPoint(vertices.col(v)).transpose();
        scene.face.landmarks.row(i) = scene.face.clean_landmarks.row(i);
      }
    }
    scene.truth = render::RenderModelSpaceMesh(vertices, model.triangles, scene.face.camera);
    cv::Mat shaded =
        render::ShadeFrame(scene.truth, model.triangles, scene.vertex_albedo, lighting.sh);
    if (realism.enabled) {
      AddSkinTexture(realism, scene.truth, shaded, rng);
      AddSpecular(realism, scene.truth, lighting.direction, lighting.strength, shaded, rng);
      AddCastShadow(realism, scene.truth,
                    lighting.strength / (lighting.strength + lighting.ambient), shaded, rng);
    }
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        if (scene.truth.Covered(x, y)) image.at<cv::Vec3f>(y, x) = shaded.at<cv::Vec3f>(y, x);
      }
    }
  } else {
    scene.truth.Reset(width, height, /*with_normals=*/false);
    scene.truth.camera = scene.face.camera;
  }

  if (realism.enabled && scene.has_face) AddHair(realism, scene.face.clean_landmarks, image, rng);
  scene.landmarks = scene.face.landmarks;
  if (realism.enabled) AddAnnotationNoise(realism, scene.landmarks, rng);
  const double eyes = EyeDistance(scene.face.clean_landmarks);
  switch (corruption) {
    case Corruption::kJitteredLandmarks:
      Jitter(scene.landmarks, rng.uniform(0.1, 0.3) * eyes, rng);
      break;
    case Corruption::kOtherFace:
      scene.landmarks = DrawFace(model, options.face, 0, 2 * seed + 1).landmarks;
      if (realism.enabled) AddAnnotationNoise(realism, scene.landmarks, rng);
      break;
    case Corruption::kMirroredLandmarks: {
      const double centre = scene.landmarks.col(0).mean();
      scene.landmarks.col(0) = (2 * centre - scene.landmarks.col(0).array()).matrix();
      break;
    }
    case Corruption::kOccluder: {
      const cv::Mat mask = DrawOccluder(image, scene.landmarks, rng);
      for (int i = 0; i < scene.landmarks.rows(); ++i) {
        const int x =
            std::clamp(static_cast<int>(std::lround(scene.landmarks(i, 0))), 0, width - 1);
        const int y =
            std::clamp(static_cast<int>(std::lround(scene.landmarks(i, 1))), 0, height - 1);
        if (mask.at<uint8_t>(y, x) == 0) continue;
        scene.landmarks(i, 0) += rng.gaussian(0.1 * eyes);
        scene.landmarks(i, 1) += rng.gaussian(0.1 * eyes);
      }
      break;
    }
    case Corruption::kNone:
    case Corruption::kExtremePose:
    case Corruption::kNonFace:
      break;
  }
  ClampToImage(scene.landmarks, width, height);

  cv::Mat noise(image.size(), CV_32FC3);
  rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(options.image_noise));
  image += noise;
  image.convertTo(scene.image, CV_8UC3, 255.0);  // saturates to [0, 255]
  if (realism.enabled) JpegRoundTrip(realism, scene.image, rng);
  return scene;
}

}  // namespace morphfit::synth
