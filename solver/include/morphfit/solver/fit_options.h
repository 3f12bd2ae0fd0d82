#pragma once

#include <string>

namespace morphfit::solver {

enum class RobustLoss { kNone, kHuber, kCauchy };

// "none" | "huber" | "cauchy"; throws morphfit::Error naming the value otherwise.
RobustLoss ParseRobustLoss(const std::string& name);
std::string RobustLossName(RobustLoss loss);

// Every weight and iteration count of the landmark fit (stages 1-2). The app exposes each field as
// a gflags flag of the same name; Validate() is the one place that checks them.
//
// Units. Landmark residuals are measured in millimetres on the face: the pixel error divided by
// the face's pixels-per-millimetre scale from stage 1 (focal / depth), so that the same weights
// work for a 100-pixel and a 1000-pixel face. Shape and PCA expression coefficients are in units
// of standard deviation; blendshape weights are plain weights. Each weight multiplies its term's
// contribution to the cost (residuals are scaled by sqrt(weight)).
struct FitOptions {
  // Stage 1: prior horizontal field of view over the image width, degrees. It sets the initial
  // focal length and the centre of the focal prior.
  double fov_deg = 30.0;

  // Stage 2 terms.
  double landmark_weight = 1.0;
  // Tikhonov prior |c|^2 on the shape coefficients (std units). Calibrated on synthetic faces
  // (SyntheticFace, model-distributed coefficients, yaw +-60, 1 px landmark noise at about 1.2 px
  // per mm): the depth error in the face mask is lowest near 3 (README "Fitting").
  double shape_prior_weight = 3.0;
  // The same on the expression coefficients (std units for PCA, weights for blendshapes).
  double expression_prior_weight = 1.0;
  // Prior on log(focal / prior focal); ignored when optimize_focal is false.
  double focal_prior_weight = 100.0;
  bool optimize_focal = true;
  // Blendshape weights (not PCA expressions) are kept >= 0, as in eos's NNLS fit.
  bool nonnegative_blendshapes = true;
  RobustLoss robust_loss = RobustLoss::kHuber;
  double robust_scale = 3.0;  // mm on the face, where the loss turns from quadratic to robust
  // How many leading shape / expression components to fit; 0 = all the model has.
  int shape_components = 0;
  int expression_components = 0;

  // Stage 2 schedule.
  int max_iterations = 50;     // Ceres iterations per solve
  int contour_iterations = 4;  // outer iterations: contour re-matching + solve
  // Beyond this |yaw| only the jaw contour of the side facing the camera is fitted: the other
  // side's annotated contour is the silhouette, which no fixed model vertex follows.
  double contour_side_yaw_deg = 10.0;
  // Beyond that yaw, fit the far side's jaw landmarks to the mesh's silhouette (what annotators
  // mark there) instead of leaving them out.
  bool far_contour_to_silhouette = true;
  double function_tolerance = 1e-6;
  double parameter_tolerance = 1e-8;

  // Throws morphfit::Error naming the first bad field and its value.
  void Validate() const;
};

}  // namespace morphfit::solver
