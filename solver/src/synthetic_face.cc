#include "morphfit/solver/synthetic_face.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "morphfit/model/error.h"
#include "morphfit/solver/contour_correspondence.h"

namespace morphfit::solver {

namespace {
constexpr double kDegree = M_PI / 180.0;

// std::uniform_real_distribution's output is implementation-defined; this is not, so the same
// seed gives the same face everywhere.
double Uniform(std::mt19937_64& random, double low, double high) {
  return low + (high - low) * (static_cast<double>(random() >> 11) * 0x1.0p-53);
}

double Gaussian(std::mt19937_64& random) {
  // Box-Muller on the portable uniform.
  const double u = std::max(Uniform(random, 0, 1), 1e-300);
  const double v = Uniform(random, 0, 1);
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * M_PI * v);
}
double Coefficient(std::mt19937_64& random, const SyntheticFaceOptions& options) {
  const double bound = options.max_abs_coefficient;
  if (options.coefficient_distribution == SyntheticFaceOptions::CoefficientDistribution::kUniform) {
    return Uniform(random, -bound, bound);
  }
  for (;;) {
    const double c = Gaussian(random);
    if (std::abs(c) <= bound) return c;
  }
}
}  // namespace

SyntheticFace MakeSyntheticFace(const model::MorphableModel& model,
                                const SyntheticFaceOptions& options, uint64_t seed) {
  std::mt19937_64 random(seed);
  SyntheticFace face;
  face.shape_coefficients.resize(model.shape.num_components());
  for (auto& c : face.shape_coefficients) {
    c = Coefficient(random, options);
  }
  face.expression_coefficients.resize(model.expression.num_components());
  for (auto& c : face.expression_coefficients) {
    c = model.expression.is_pca ? Coefficient(random, options)
                                : Uniform(random, 0, options.max_blendshape_weight);
  }
  face.yaw = Uniform(random, -options.max_abs_yaw_deg, options.max_abs_yaw_deg) * kDegree;
  face.pitch = Uniform(random, -options.max_abs_pitch_deg, options.max_abs_pitch_deg) * kDegree;
  face.roll = Uniform(random, -options.max_abs_roll_deg, options.max_abs_roll_deg) * kDegree;
  const double distance = Uniform(random, options.min_distance_mm, options.max_distance_mm);
  face.camera =
      render::Camera::ForImage(options.width, options.height,
                               render::FocalFromFov(options.fov_deg * kDegree, options.width));
  face.camera.rotation = render::RotationFromYawPitchRoll(face.yaw, face.pitch, face.roll);
  // Off-centre by up to a fifth of the view at that distance.
  const double half_view = 0.5 * options.width * distance / face.camera.focal;
  face.camera.translation << Uniform(random, -0.2, 0.2) * half_view,
      Uniform(random, -0.2, 0.2) * half_view, distance;

  const model::LandmarkMapping& mapping = model.landmarks;
  face.landmark_vertices = mapping.vertex;
  auto place_contour = [&](const std::vector<int>& landmarks, const std::vector<int>& candidates) {
    for (size_t j = 0; j < landmarks.size() && !candidates.empty(); ++j) {
      face.landmark_vertices[landmarks[j]] = candidates[std::min(2 * j, candidates.size() - 1)];
    }
  };
  place_contour(mapping.right_contour_landmarks, mapping.right_contour_vertices);
  place_contour(mapping.left_contour_landmarks, mapping.left_contour_vertices);

  const Eigen::Matrix3Xd vertices =
      model.InstanceVertices(face.shape_coefficients, face.expression_coefficients);
  auto project_landmarks = [&]() {
    face.clean_landmarks.setZero();
    for (int i = 0; i < model::kNumIbugLandmarks; ++i) {
      const int v = face.landmark_vertices[i];
      if (v >= 0)
        face.clean_landmarks.row(i) = face.camera.ProjectModelPoint(vertices.col(v)).transpose();
    }
  };
  project_landmarks();
  if (std::abs(face.yaw) > options.contour_side_yaw_deg * kDegree) {
    // Positive yaw turns the subject's left cheek away (see VisibleContourSides).
    const bool far_is_right = face.yaw < 0;
    // Each far landmark takes a distinct silhouette vertex (distinct points, as annotated).
    std::vector<int> silhouette = JawSilhouetteVertices(
        model, face.shape_coefficients, face.expression_coefficients, face.camera, far_is_right);
    const std::vector<int>& far_landmarks =
        far_is_right ? mapping.right_contour_landmarks : mapping.left_contour_landmarks;
    for (int landmark : far_landmarks) {
      if (silhouette.empty()) break;
      MatchToNearestProjection(model, face.shape_coefficients, face.expression_coefficients,
                               face.camera, face.clean_landmarks, {landmark}, silhouette,
                               face.landmark_vertices);
      silhouette.erase(
          std::find(silhouette.begin(), silhouette.end(), face.landmark_vertices[landmark]));
    }
    project_landmarks();
  }
  face.landmarks = face.clean_landmarks;
  for (int i = 0; i < model::kNumIbugLandmarks; ++i) {
    if (face.landmark_vertices[i] < 0) {
      // Unmapped points (the SFM's inner mouth corners) still need a plausible, distinct
      // position to pass validation: the midpoint of their neighbours on the inner lip ring.
      const int previous = 60 + (i - 60 + 7) % 8, next = 60 + (i - 60 + 1) % 8;
      face.landmarks.row(i) =
          0.5 * (face.clean_landmarks.row(previous) + face.clean_landmarks.row(next));
      face.clean_landmarks.row(i) = face.landmarks.row(i);
      continue;
    }
    for (int d = 0; d < 2; ++d)
      face.landmarks(i, d) += options.landmark_noise_px * Gaussian(random);
  }
  ValidateLandmarks(face.landmarks, options.width, options.height,
                    "synthetic face (seed " + std::to_string(seed) + ")");
  return face;
}

}  // namespace morphfit::solver
