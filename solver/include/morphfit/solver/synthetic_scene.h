#pragma once

#include <cstdint>

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include "morphfit/model/morphable_model.h"
#include "morphfit/render/frame.h"
#include "morphfit/render/shading.h"
#include "morphfit/solver/fit_types.h"
#include "morphfit/solver/photometric_options.h"
#include "morphfit/solver/synthetic_face.h"

namespace morphfit::solver {

// A photo-like image of a random face with known ground truth, for the photometric tests, the
// benchmark and the evaluation app: the face of MakeSyntheticFace, a smooth random albedo,
// random SH lighting (ambient plus one directional light from the camera's side), a textured
// background and image noise.
struct SyntheticSceneOptions {
  SyntheticFaceOptions face;
  double albedo_variation = 0.08;   // amplitude of the smooth albedo pattern around skin
  double min_ambient = 0.45, max_ambient = 0.8;
  double min_directional = 0.2, max_directional = 0.6;
  double max_light_angle_deg = 60.0;  // light direction from the viewing axis
  double image_noise = 0.01;          // Gaussian, colours in [0, 1]
};

struct SyntheticScene {
  SyntheticFace face;
  Eigen::Matrix3Xd vertex_albedo;  // 3 x N, RGB
  render::ShLighting lighting;     // camera-space SH, as render::ShadeFrame uses it
  cv::Mat image;                   // CV_8UC3, BGR
  render::Frame truth;             // true depth, normals and mask at the image size
};

// Deterministic for a given seed.
SyntheticScene MakeSyntheticScene(const model::MorphableModel& model,
                                  const SyntheticSceneOptions& options, uint64_t seed);

// Depth and normal error of a fitted frame against the true one, over the pixels the true face
// covers (pixels the fit misses count in `coverage` only).
struct DepthComparison {
  double depth_rmse_mm = 0;          // raw camera-space z difference
  double aligned_depth_rmse_mm = 0;  // after removing the median z offset (absolute distance is
                                     // not observable from one photo)
  double mean_normal_error_deg = 0;
  double coverage = 0;  // fraction of the true face pixels the fit covers
};
DepthComparison CompareFrames(const render::Frame& truth, const render::Frame& fitted);

}  // namespace morphfit::solver

namespace morphfit::solver {

// Fits a synthetic scene with stages 1-2 and then stage 3 from the same stage-2 result, and
// compares both with the truth.
struct SyntheticFitOutcome {
  DepthComparison landmarks;
  DepthComparison photometric;
  double landmark_seconds = 0;     // stages 1-2, processor time
  double photometric_seconds = 0;  // stage 3, processor time
  StageStatistics photometric_stage;
};
SyntheticFitOutcome FitSyntheticScene(const model::MorphableModel& model,
                                      const SyntheticScene& scene, const FitOptions& fit_options,
                                      const PhotometricOptions& photo_options);

}  // namespace morphfit::solver
