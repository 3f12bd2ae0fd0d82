#pragma once

// Hand-made inputs for the quality tests: a tiny model whose numbers can be worked out on paper,
// and fit statistics that pass the default rule.

#include "morphfit/model/morphable_model.h"
#include "morphfit/solver/fit_statistics.h"
#include "morphfit/solver/quality_rule.h"

namespace morphfit::solver::testing {

// Six vertices, two triangles in the z = 0 plane: triangle 0 (area 50) faces +z (the viewer in
// a frontal view), triangle 1 (area 150) faces -z. Every iBUG landmark maps to vertex 0 except
// 61 and 65 (0-based 60 and 64), which are unmapped as in the SFM. 3 shape, 2 expression
// components with zero deformation (only their coefficients matter to the statistics).
inline model::MorphableModel TwoTriangleModel() {
  model::MorphableModel model;
  model.name = "two_triangles";
  model.mean.resize(18);
  model.mean << 0, 0, 0, 10, 0, 0, 0, 10, 0,  // triangle 0
      20, 0, 0, 20, 30, 0, 30, 0, 0;          // triangle 1
  model.shape.scaled_basis = model::RowMatrixXd::Zero(18, 3);
  model.shape.stddev = Eigen::VectorXd::Ones(3);
  model.expression.scaled_basis = model::RowMatrixXd::Zero(18, 2);
  model.expression.stddev = Eigen::VectorXd::Ones(2);
  model.triangles = {Eigen::Vector3i(0, 1, 2), Eigen::Vector3i(3, 4, 5)};
  model.landmarks.vertex.fill(0);
  model.landmarks.vertex[60] = model::LandmarkMapping::kUnmapped;
  model.landmarks.vertex[64] = model::LandmarkMapping::kUnmapped;
  model.Validate();
  return model;
}

// Every absolute threshold switched on, at values CleanStatistics() is far from: for tests of the
// rule's mechanics, independent of the calibrated defaults (some of which are off).
inline QualityRule AllThresholdsRule() {
  QualityRule rule;
  rule.max_landmark_nme = 0.08;
  rule.max_landmark_max_nme = 0.25;
  rule.max_region_nme = 0.12;
  rule.max_photo_rms = 0.25;
  rule.max_photo_median_abs = 0.15;
  rule.min_photo_inliers = 0.5;
  rule.max_shading_rms = 0.15;
  rule.max_shading_median_abs = 0.08;
  rule.min_shading_inliers = 0.6;
  rule.max_shape_mahalanobis = 10;
  rule.max_expression_mahalanobis = 4;
  rule.max_abs_coefficient = 4;
  rule.max_abs_yaw = 60;
  rule.max_abs_pitch = 45;
  rule.max_abs_roll = 60;
  rule.min_face_size = 40;
  rule.min_visible_fraction = 0.4;
  return rule;
}

// Statistics of a clean fit: far from every threshold of AllThresholdsRule() and the defaults.
inline FitStatistics CleanStatistics() {
  FitStatistics s;
  s.landmarks_used = 66;
  s.eye_corner_distance_px = 100;
  s.landmark_rms_px = 2;
  s.landmark_max_px = 5;
  s.landmark_rms_nme = 0.02;
  s.landmark_max_nme = 0.05;
  s.worst_region_nme = 0.03;
  s.has_photometric = true;
  s.photo_samples = 1000;
  // The medians of the good fits of the calibration run (docs/quality.md).
  s.photo_rms = 0.025;
  s.photo_median_abs = 0.014;
  s.photo_inlier_fraction = 0.95;
  s.has_shading = true;
  s.shading_samples = 6000;
  s.shading_rms = 0.04;
  s.shading_median_abs = 0.02;
  s.shading_inlier_fraction = 0.97;
  s.shape_mahalanobis = 3;
  s.expression_mahalanobis = 0.5;
  s.max_abs_shape_coefficient = 1.5;
  s.max_abs_expression_coefficient = 0.4;
  s.max_abs_coefficient = 1.5;
  s.yaw_deg = 10;
  s.pitch_deg = -5;
  s.roll_deg = 2;
  s.face_size_px = 200;
  s.focal_px = 1000;
  s.visible_fraction = 0.9;
  s.stages = {{"rigid", "CONVERGENCE", 0, 100, 50, 0.5},
              {"landmarks", "CONVERGENCE", 12, 50, 10, 0.8}};
  return s;
}

}  // namespace morphfit::solver::testing
