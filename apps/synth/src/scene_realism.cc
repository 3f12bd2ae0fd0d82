#include "morphfit/synth/scene_realism.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace morphfit::synth {
namespace {

constexpr int kJawLandmarks = 17;  // iBUG 0-16

// 255 where the true face covers the pixel.
cv::Mat CoveredMask(const render::Frame& truth) {
  cv::Mat mask(truth.height, truth.width, CV_8U, cv::Scalar(0));
  for (int y = 0; y < truth.height; ++y) {
    for (int x = 0; x < truth.width; ++x) {
      if (truth.Covered(x, y)) mask.at<uint8_t>(y, x) = 255;
    }
  }
  return mask;
}

}  // namespace

void AddAnnotationNoise(const RealismOptions& options, Landmarks& landmarks, cv::RNG& rng) {
  const double eyes = OuterEyeCornerDistance(landmarks);
  const Landmarks clean = landmarks;
  for (int i = 0; i < landmarks.rows(); ++i) {
    const double across = options.annotation_noise * eyes * rng.gaussian(1.0);
    if (i < kJawLandmarks) {
      // Tangent of the contour from the neighbours (one-sided at the ends).
      const int previous = std::max(i - 1, 0), next = std::min(i + 1, kJawLandmarks - 1);
      Eigen::Vector2d tangent = (clean.row(next) - clean.row(previous)).transpose();
      if (tangent.norm() < 1e-9) tangent = Eigen::Vector2d::UnitY();
      tangent.normalize();
      const Eigen::Vector2d normal(-tangent.y(), tangent.x());
      const double along = options.contour_noise_along * eyes * rng.gaussian(1.0);
      landmarks.row(i) += (along * tangent + across * normal).transpose();
    } else {
      landmarks(i, 0) += across;
      landmarks(i, 1) += options.annotation_noise * eyes * rng.gaussian(1.0);
    }
  }
}

void AddOutOfModelDetail(const RealismOptions& options, Eigen::Matrix3Xd& vertices, cv::RNG& rng) {
  if (options.detail_rms_mm <= 0) return;
  constexpr int kWaves = 6;
  // A sum of kWaves sines of amplitude a has variance kWaves a^2 / 2.
  const double amplitude = options.detail_rms_mm * std::sqrt(2.0 / kWaves);
  Eigen::Vector3d direction[kWaves];
  double phase[kWaves];
  for (int k = 0; k < kWaves; ++k) {
    direction[k] =
        Eigen::Vector3d(rng.gaussian(1), rng.gaussian(1), rng.gaussian(0.3)).normalized() *
        (2 * M_PI / rng.uniform(25.0, 80.0));
    phase[k] = rng.uniform(0.0, 2 * M_PI);
  }
  const Eigen::Vector3d centre = vertices.rowwise().mean();
  for (int v = 0; v < vertices.cols(); ++v) {
    const Eigen::Vector3d p = vertices.col(v) - centre;
    double offset = 0;
    for (int k = 0; k < kWaves; ++k) offset += std::sin(direction[k].dot(p) + phase[k]);
    vertices(2, v) += amplitude * offset;
  }
}

void AddFeatureAlbedo(const model::MorphableModel& model, const solver::SyntheticFace& face,
                      Eigen::Matrix3Xd& albedo, cv::RNG& rng) {
  struct Feature {
    int first, last;  // iBUG landmark range
    double radius_mm;
    Eigen::Vector3d factor;  // RGB multiplier
  };
  const double brow = rng.uniform(0.3, 0.6);  // hair: dark to mid
  const double lid = rng.uniform(0.6, 0.85);  // lashes, lid crease and sclera mixed
  const Feature features[] = {
      {17, 26, 7.0, Eigen::Vector3d::Constant(brow)},
      {36, 47, 6.0, Eigen::Vector3d::Constant(lid)},
      {48, 59, 4.0,
       Eigen::Vector3d(rng.uniform(0.95, 1.05), rng.uniform(0.65, 0.8), rng.uniform(0.7, 0.85))},
  };
  for (const Feature& feature : features) {
    std::vector<Eigen::Vector3d> anchors;
    for (int i = feature.first; i <= feature.last; ++i) {
      if (face.landmark_vertices[i] >= 0)
        anchors.push_back(model.mean.segment<3>(3 * face.landmark_vertices[i]));
    }
    for (int v = 0; v < model.num_vertices(); ++v) {
      const Eigen::Vector3d p = model.mean.segment<3>(3 * v);
      double nearest = std::numeric_limits<double>::infinity();
      for (const Eigen::Vector3d& a : anchors) nearest = std::min(nearest, (p - a).norm());
      if (nearest >= feature.radius_mm) continue;
      // Soft edge: full effect at the anchor, none at the radius.
      const double weight = 0.5 * (1 + std::cos(M_PI * nearest / feature.radius_mm));
      const Eigen::Vector3d factor =
          Eigen::Vector3d::Ones() + weight * (feature.factor - Eigen::Vector3d::Ones());
      albedo.col(v) = albedo.col(v).cwiseProduct(factor).cwiseMin(1.0);
    }
  }
}

void AddSkinTexture(const RealismOptions& options, const render::Frame& truth, cv::Mat& image,
                    cv::RNG& rng) {
  if (options.texture_sigma <= 0) return;
  // Pores and fine texture (about a pixel) plus blotches and freckles (several pixels), equal
  // variance; one luminance field with a little independent colour.
  cv::Mat fine(image.size(), CV_32F), coarse(image.size(), CV_32F);
  rng.fill(fine, cv::RNG::NORMAL, 0, 1);
  rng.fill(coarse, cv::RNG::NORMAL, 0, 1);
  cv::GaussianBlur(fine, fine, cv::Size(0, 0), 0.7);
  cv::GaussianBlur(coarse, coarse, cv::Size(0, 0), 4.0);
  cv::Scalar mean, stddev;
  cv::meanStdDev(fine, mean, stddev);
  fine /= std::max(stddev[0], 1e-6);
  cv::meanStdDev(coarse, mean, stddev);
  coarse /= std::max(stddev[0], 1e-6);
  const float sigma = static_cast<float>(options.texture_sigma / std::sqrt(2.0));
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      if (!truth.Covered(x, y)) continue;
      const float f = 1.0f + sigma * (fine.at<float>(y, x) + coarse.at<float>(y, x));
      cv::Vec3f& pixel = image.at<cv::Vec3f>(y, x);
      pixel *= std::max(f, 0.0f);
    }
  }
}

void AddSpecular(const RealismOptions& options, const render::Frame& truth,
                 const Eigen::Vector3d& light_direction, double light_strength, cv::Mat& image,
                 cv::RNG& rng) {
  if (options.max_specular <= 0 || !truth.has_normals()) return;
  const double strength = rng.uniform(0.0, options.max_specular) * light_strength;
  const double shininess = rng.uniform(8.0, 40.0);  // broad lobe: rough, oily skin
  for (int y = 0; y < truth.height; ++y) {
    for (int x = 0; x < truth.width; ++x) {
      const int index = truth.Index(x, y);
      if (!truth.Covered(index)) continue;
      const Eigen::Vector3d normal = truth.Normal(index).cast<double>();
      const Eigen::Vector3d view = -truth.RayDirection(x, y);
      const Eigen::Vector3d half = (light_direction + view).normalized();
      const double lobe = std::pow(std::max(0.0, normal.dot(half)), shininess);
      image.at<cv::Vec3f>(y, x) += cv::Vec3f::all(static_cast<float>(strength * lobe));
    }
  }
}

void AddCastShadow(const RealismOptions& options, const render::Frame& truth, double direct_share,
                   cv::Mat& image, cv::RNG& rng) {
  if (rng.uniform(0.0, 1.0) >= options.shadow_probability) return;
  const cv::Mat mask = CoveredMask(truth);
  const cv::Rect box = cv::boundingRect(mask);
  if (box.area() == 0) return;
  // A soft half-plane edge through a random point of the face's box (nose, brim or hand shadow).
  const double angle = rng.uniform(0.0, 2 * M_PI);
  const Eigen::Vector2d direction(std::cos(angle), std::sin(angle));
  const Eigen::Vector2d through(box.x + rng.uniform(0.3, 0.7) * box.width,
                                box.y + rng.uniform(0.3, 0.7) * box.height);
  const double softness = rng.uniform(0.02, 0.1) * box.width;
  // The occluder blocks the directional light (partly, for a thin or translucent one), not the
  // ambient part.
  const float darkness = static_cast<float>(rng.uniform(0.5, 1.0) * direct_share);
  for (int y = box.y; y < box.y + box.height; ++y) {
    for (int x = box.x; x < box.x + box.width; ++x) {
      if (!truth.Covered(x, y)) continue;
      const double s = direction.dot(Eigen::Vector2d(x, y) - through) / softness;
      const float shade = static_cast<float>(1.0 / (1.0 + std::exp(-s)));  // 0 in shadow
      image.at<cv::Vec3f>(y, x) *= 1.0f - darkness * (1.0f - shade);
    }
  }
}

void AddHair(const RealismOptions& options, const Landmarks& clean_landmarks, cv::Mat& image,
             cv::RNG& rng) {
  if (rng.uniform(0.0, 1.0) >= options.hair_probability) return;
  const double eyes = OuterEyeCornerDistance(clean_landmarks);
  // Brow line (17-26) and the chin (8): the head's top lies about one eye distance above the brows.
  Eigen::Vector2d brow = clean_landmarks.middleRows(17, 10).colwise().mean().transpose();
  const Eigen::Vector2d chin = clean_landmarks.row(8).transpose();
  const Eigen::Vector2d up = (brow - chin).normalized();
  const double angle = std::atan2(up.y(), up.x()) * 180 / M_PI + 90;
  // The hairline sits from a fringe (0.15 eye distances above the brows) to an average one (about
  // 0.6); a higher one lies above the model's forehead and would change nothing.
  const double hairline = rng.uniform(0.15, 0.6) * eyes;
  const Eigen::Vector2d centre = brow + up * (hairline + 0.9 * eyes);
  const cv::Size axes(static_cast<int>(rng.uniform(1.1, 1.5) * eyes), static_cast<int>(0.9 * eyes));
  const double dark = rng.uniform(0.03, 0.5);
  const cv::Scalar colour(dark * rng.uniform(0.6, 0.9), dark * rng.uniform(0.8, 1.0), dark);
  cv::Mat hair(image.size(), CV_8U, cv::Scalar(0));
  cv::ellipse(hair, cv::Point(static_cast<int>(centre.x()), static_cast<int>(centre.y())), axes,
              angle, 0, 360, cv::Scalar(255), -1, cv::LINE_AA);
  // Strands: a streaked texture across the hair.
  cv::Mat strands(image.size(), CV_32F);
  rng.fill(strands, cv::RNG::NORMAL, 0, 0.25);
  cv::blur(strands, strands, cv::Size(1, 9));
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      const float alpha = hair.at<uint8_t>(y, x) / 255.0f;
      if (alpha == 0) continue;
      const float streak = 1.0f + strands.at<float>(y, x);
      cv::Vec3f& pixel = image.at<cv::Vec3f>(y, x);
      for (int c = 0; c < 3; ++c) {
        pixel[c] = (1 - alpha) * pixel[c] + alpha * static_cast<float>(colour[c]) * streak;
      }
    }
  }
}

void JpegRoundTrip(const RealismOptions& options, cv::Mat& image8, cv::RNG& rng) {
  if (options.min_jpeg_quality <= 0) return;
  const int quality = rng.uniform(options.min_jpeg_quality, 96);
  std::vector<uint8_t> bytes;
  cv::imencode(".jpg", image8, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
  image8 = cv::imdecode(bytes, cv::IMREAD_COLOR);
}

}  // namespace morphfit::synth
