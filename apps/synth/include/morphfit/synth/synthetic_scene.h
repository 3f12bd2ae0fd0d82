#pragma once

// Synthetic face photographs with known geometry, for morphfit-eval (quality calibration) and the
// photometric benchmark: a random face and camera (solver::MakeSyntheticFace), a smooth random
// albedo, random second-order SH lighting, a textured background and image noise, rendered with
// the render module; plus the corruptions real datasets contain.

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "morphfit/model/morphable_model.h"
#include "morphfit/render/frame.h"
#include "morphfit/solver/synthetic_face.h"

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
  solver::SyntheticFaceOptions face;  // yaw range etc.; landmark_noise_px is the clean noise
  double extreme_min_yaw_deg = 60.0;
  double extreme_max_yaw_deg = 85.0;
  double image_noise = 0.02;       // Gaussian sigma on [0, 1] intensities
  double albedo_variation = 0.15;  // relative amplitude of the smooth albedo pattern
  SceneOptions() {
    // Uniform in +-sqrt(3) std: unit variance per component, as the model's own prior, and within
    // +-2 std. (Uniform +-2 would make every face more atypical than 99% of the prior's.)
    face.max_abs_coefficient = 1.7320508075688772;
    face.max_abs_yaw_deg = 45.0;
    face.min_distance_mm = 700.0;
    face.max_distance_mm = 1600.0;
    face.landmark_noise_px = 1.0;
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
