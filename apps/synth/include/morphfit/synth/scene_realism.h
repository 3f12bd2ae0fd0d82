#pragma once

// What makes a synthetic scene look like a photograph rather than the model's own world: human
// annotation noise, facial-feature and fine skin albedo, shape detail outside the model's span,
// specular sheen, shadows, hair at the face boundary and JPEG compression. Each value's source
// (literature or physics, never the sample photos) is in docs/quality.md, "Scenes".

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/frame.h"
#include "morphfit/solver/synthetic_face.h"

namespace morphfit::synth {

struct RealismOptions {
  // Annotation noise, per coordinate, as a share of the outer-eye-corner distance; jaw contour
  // points are placed far less reliably along the contour than across it.
  double annotation_noise = 0.015;
  double contour_noise_along = 0.05;
  // Out-of-model shape detail: a smooth random depth displacement (plane waves of 25-80 mm
  // wavelength), RMS in mm.
  double detail_rms_mm = 1.0;
  // Albedo: brows, eyes and lips differ from skin; fine multiplicative skin texture (relative
  // sigma) on two scales.
  bool feature_albedo = true;
  double texture_sigma = 0.06;
  // Specular sheen (Blinn-Phong lobe of the directional light), strength drawn up to this.
  double max_specular = 0.15;
  double shadow_probability = 0.3;  // a soft cast shadow across part of the face
  double hair_probability = 0.7;    // hair over the top of the face boundary and forehead
  int min_jpeg_quality = 50;        // JPEG round trip with quality drawn in [min, 95]; 0: off
  bool enabled = true;              // false: the model's own world (tests, benchmarks)
};

// Gaussian annotation noise (see RealismOptions) on the mapped landmarks of `face`.
void AddAnnotationNoise(const RealismOptions& options, Landmarks& landmarks, cv::RNG& rng);

// Adds the smooth out-of-model displacement to `vertices` (model space, z towards the viewer).
void AddOutOfModelDetail(const RealismOptions& options, Eigen::Matrix3Xd& vertices, cv::RNG& rng);

// Darkens brows and eye regions and reddens lips around the face's landmark vertices.
void AddFeatureAlbedo(const model::MorphableModel& model, const solver::SyntheticFace& face,
                      Eigen::Matrix3Xd& albedo, cv::RNG& rng);

// Image-space effects on the shaded face (CV_32FC3, [0, 1]) over the covered pixels of `truth`.
void AddSkinTexture(const RealismOptions& options, const render::Frame& truth, cv::Mat& image,
                    cv::RNG& rng);
void AddSpecular(const RealismOptions& options, const render::Frame& truth,
                 const Eigen::Vector3d& light_direction, double light_strength, cv::Mat& image,
                 cv::RNG& rng);
// The shadow takes away up to the directional light's share of the radiance, `direct_share`.
void AddCastShadow(const RealismOptions& options, const render::Frame& truth, double direct_share,
                   cv::Mat& image, cv::RNG& rng);
void AddHair(const RealismOptions& options, const Landmarks& clean_landmarks, cv::Mat& image,
             cv::RNG& rng);

// Encodes and decodes the 8-bit image as JPEG at a random quality.
void JpegRoundTrip(const RealismOptions& options, cv::Mat& image8, cv::RNG& rng);

}  // namespace morphfit::synth
