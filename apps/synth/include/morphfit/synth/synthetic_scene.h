#pragma once

// Synthetic face photographs with known geometry, for morphfit-eval (quality calibration) and the
// photometric benchmark: a random face and camera (solver::MakeSyntheticFace), a smooth random
// albedo, random second-order SH lighting, a textured background and image noise, rendered with
// the render module; plus the corruptions real datasets contain.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "morphfit/model/morphable_model.h"
#include "morphfit/render/frame.h"
#include "morphfit/solver/synthetic_face.h"
#include "morphfit/synth/photo_texture.h"
#include "morphfit/synth/scene_realism.h"

namespace morphfit::synth {

enum class Corruption {
  kNone,
  kJitteredLandmarks,  // every landmark moved by Gaussian noise of 10-30% of the eye distance
  kOtherFace,          // the landmarks of a different random face, elsewhere in the image
  kMirroredLandmarks,  // x mirrored about the face centre without swapping left/right labels
  kOccluder,           // a large textured blob over part of the face; landmarks under it jitter
  kExtremePose,        // |yaw| 60-85 degrees, beyond what the landmark model follows
  kNonFace,            // no face in the image; the landmarks of a random face
};
inline constexpr int kNumCorruptions = 7;
const char* CorruptionName(Corruption corruption);

struct SceneOptions {
  solver::SyntheticFaceOptions face;  // yaw range etc.
  double extreme_min_yaw_deg = 60.0;
  double extreme_max_yaw_deg = 85.0;
  double image_noise = 0.02;       // Gaussian sigma on [0, 1] intensities
  double albedo_variation = 0.15;  // relative amplitude of the smooth albedo pattern
  // When set, the albedo is one of these textures (drawn per scene, mirrored half of the time)
  // times the scene's skin colour, instead of the smooth pattern (and without the realism's
  // feature albedo: the texture has its own brows, eyes and lips).
  std::shared_ptr<const std::vector<PhotoTexture>> albedo_textures;
  RealismOptions realism;  // photograph-like effects (scene_realism.h)
  // Photograph-like defaults (docs/quality.md, "Scenes"): shape coefficients from the model's
  // own prior, a standard normal per component, truncated only at 3 std so that about 4.5% of
  // them lie beyond the +-2 std box; landmark noise is the annotation noise of `realism`.
  SceneOptions() {
    face.coefficient_distribution =
        solver::SyntheticFaceOptions::CoefficientDistribution::kTruncatedNormal;
    face.max_abs_coefficient = 3.0;
    face.max_abs_yaw_deg = 45.0;
    face.min_distance_mm = 700.0;
    face.max_distance_mm = 1600.0;
    face.landmark_noise_px = 0.0;
  }
  // The model's own world, for tests and benchmarks of the solver: shape uniform in +-sqrt(3) std
  // (unit variance, within +-2 std), 1 px landmark noise, Lambertian smooth skin, no hair,
  // shadow, out-of-model detail or compression.
  static SceneOptions Idealised() {
    SceneOptions options;
    options.face.coefficient_distribution =
        solver::SyntheticFaceOptions::CoefficientDistribution::kUniform;
    options.face.max_abs_coefficient = 1.7320508075688772;
    options.face.landmark_noise_px = 1.0;
    options.realism.enabled = false;
    return options;
  }
  // Idealised() as the photometric benchmark and its tests draw it (issue 5): 480 x 480 images
  // with faces about 256 pixels tall (520-620 mm away).
  static SceneOptions PhotometricBenchmark() {
    SceneOptions options = Idealised();
    options.face.width = 480;
    options.face.height = 480;
    options.face.min_distance_mm = 520;
    options.face.max_distance_mm = 620;
    return options;
  }
};

struct SyntheticScene {
  Corruption corruption = Corruption::kNone;
  bool has_face = true;            // false for kNonFace: there is no true geometry
  solver::SyntheticFace face;      // the face in the image (its landmarks are the clean input)
  Landmarks landmarks;             // what the fit is given (corrupted or not)
  Eigen::Matrix3Xd vertex_albedo;  // per-vertex RGB in [0, 1]
  render::Frame truth;             // depth, normals, mask of the true face (empty if !has_face)
  cv::Mat image;                   // CV_8UC3, BGR
};

// Deterministic for a given seed (OpenCV's RNG and the solver's portable sampler).
SyntheticScene MakeSyntheticScene(const model::MorphableModel& model, const SceneOptions& options,
                                  Corruption corruption, uint64_t seed);

}  // namespace morphfit::synth
