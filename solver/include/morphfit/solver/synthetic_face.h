#pragma once

#include <array>
#include <cstdint>

#include <Eigen/Core>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"

namespace morphfit::solver {

// How to draw a random face and camera with known ground truth, for tests, benchmarks and the
// evaluation app.
struct SyntheticFaceOptions {
  int width = 640;
  int height = 640;
  double fov_deg = 30.0;
  // Shape (and PCA expression) coefficients in std units, within +-max_abs_coefficient: drawn
  // from the model's own distribution (standard normal, redrawn beyond the bound) or uniformly.
  enum class CoefficientDistribution { kTruncatedNormal, kUniform };
  CoefficientDistribution coefficient_distribution = CoefficientDistribution::kTruncatedNormal;
  double max_abs_coefficient = 2.0;
  double max_blendshape_weight = 1.0;  // blendshape weights uniform in [0, this]
  double max_abs_yaw_deg = 60.0;
  double max_abs_pitch_deg = 20.0;
  double max_abs_roll_deg = 15.0;
  double min_distance_mm = 800.0;
  double max_distance_mm = 1200.0;
  double landmark_noise_px = 0.0;  // Gaussian, per coordinate
  // Beyond this |yaw| the far side's jaw landmarks lie on the silhouette, as annotators mark them
  // (FitOptions::contour_side_yaw_deg and far_contour_to_silhouette model the same).
  double contour_side_yaw_deg = 10.0;
};

struct SyntheticFace {
  Eigen::VectorXd shape_coefficients;
  Eigen::VectorXd expression_coefficients;
  render::Camera camera;
  double yaw = 0, pitch = 0, roll = 0;  // radians
  // Vertex behind each landmark: fixed landmarks' mapped vertex; contour landmark j (0-based
  // along its side) at candidate 2j of its side's contour list, or on the far side (beyond the
  // yaw threshold) the jaw silhouette vertex projecting nearest to that candidate; -1 where the
  // model maps none.
  std::array<int, 68> landmark_vertices;
  Landmarks clean_landmarks;  // exact projections (unmapped ones: 0)
  Landmarks landmarks;        // with noise
};

// Deterministic for a given seed. Throws morphfit::Error if a landmark falls outside the image.
SyntheticFace MakeSyntheticFace(const model::MorphableModel& model,
                                const SyntheticFaceOptions& options, uint64_t seed);

}  // namespace morphfit::solver
