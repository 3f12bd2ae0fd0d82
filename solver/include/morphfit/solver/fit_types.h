#pragma once

// The data that flows through one fit (see docs/conventions.md, "Flow of one image"). Plain
// structs: the solver fills them, the quality rule, the writers and the batch read them.

#include <array>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "morphfit/model/landmarks.h"
#include "morphfit/render/camera.h"

namespace morphfit::solver {

// What one stage of the schedule did, for fit.json and the quality rule.
struct StageStatistics {
  std::string name;            // "rigid", "landmarks", "photometric"
  double landmark_rms_px = 0;  // over the landmarks used (mapped ones)
  double landmark_max_px = 0;
  double landmark_rms_nme = 0;  // RMS / outer-eye-corner distance
  int iterations = 0;           // summed over outer iterations
  int outer_iterations = 0;
  std::string termination;  // Ceres termination type of the last solve
  double initial_cost = 0;
  double final_cost = 0;
  double seconds = 0;
  // Photometric stage only.
  double photo_rms = 0;
  double photo_median_abs = 0;
  double photo_inlier_fraction = 0;
  int photo_samples = 0;
};

// One sample of the photometric stage's last outer iteration, for the quality rule: where it
// fell in the input image, its colour residual (RMS over r, g, b; colours in [0, 1]) and whether
// the robust loss counted it as an inlier.
struct PhotometricSampleRecord {
  Eigen::Vector2f pixel = Eigen::Vector2f::Zero();
  float residual = 0;
  bool inlier = true;
};

// The fitted state: everything needed to rebuild the mesh and the camera.
struct FitResult {
  Eigen::VectorXd shape_coefficients;       // std units
  Eigen::VectorXd expression_coefficients;  // std units (PCA) or blendshape weights
  render::Camera camera;                    // pose + intrinsics for the input image size
  Eigen::Matrix<double, 9, 3> lighting = Eigen::Matrix<double, 9, 3>::Zero();  // SH, per channel
  Eigen::VectorXd albedo_coefficients;    // albedo PCA, when the model has one
  Eigen::Matrix3Xd vertex_albedo;         // per-vertex RGB in [0, 1], when estimated
  std::array<int, 68> landmark_vertices;  // vertex used for each landmark at the end, -1 none
  // Whether landmark i was a residual of the last landmark solve: false for unmapped landmarks
  // and for the jaw contour of the side turned away from the camera.
  std::array<bool, 68> landmark_in_fit{};
  Landmarks fitted_landmarks;  // model landmarks projected into the image
  std::vector<StageStatistics> stages;
  std::vector<PhotometricSampleRecord> photo_samples;  // empty without the photometric stage
};

}  // namespace morphfit::solver
