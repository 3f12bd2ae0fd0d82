#pragma once

#include "morphfit/solver/fit_options.h"

namespace morphfit::solver {

// Stage 3 of the fit (photometric analysis-by-synthesis). Defaults were calibrated on the
// synthetic benchmark (bench/photometric_accuracy.cc, README "Photometric stage"), never on
// the real samples.
struct PhotometricOptions {
  // Weight of the photometric term. Residuals are scaled by photo_weight / sqrt(samples), so the
  // term's size does not depend on --photo_samples: its cost is photo_weight^2 times the mean
  // squared colour residual (colours in [0, 1]).
  double photo_weight = 200.0;
  // Visible surface samples per outer iteration (a stratified subset of the face pixels).
  int samples = 500;
  // Samples the per-vertex albedo is estimated from, when more than `samples` (0: the same
  // samples). The albedo solve is linear and sparse, so it can read many more pixels than the
  // nonlinear solve, and a denser albedo follows skin texture (brows, lips, pigment) that would
  // otherwise pull the geometry.
  int albedo_samples = 0;

  // Per-vertex albedo (models without an albedo PCA): pull towards the constant reference
  // reflectance, smoothness over mesh edges, and left-right symmetry; all relative to the data
  // term of one sample of weight 1. With an albedo PCA: prior on its coefficients (std units).
  // Smoothness 0.1, not 1: started from the true parameters of synthetic scenes (no image noise,
  // no coefficient prior; bench/photometric_truth_drift), smoothness 1 flattens a skin-like
  // albedo pattern of 20-60 mm wavelength, the geometry bends to explain what is left (median
  // drift 2.0 mm, residual 0.017), while 0.1 follows it (1.0 mm, 0.006).
  double albedo_prior_weight = 0.02;
  double albedo_smoothness_weight = 0.1;
  double albedo_symmetry_weight = 0.5;
  // Albedo coarse-to-fine: the first outer iteration estimates the albedo with the smoothness
  // weight times this factor, and the factor falls geometrically to 1 at the last one, so that
  // shape and lighting, not a freshly fitted albedo, explain the shading the landmark fit left.
  double initial_albedo_smoothness_scale = 100.0;
  // Ridge on the 24 non-constant SH lighting coefficients (bands 1 and 2).
  double light_prior_weight = 1e-4;
  // The SH lighting is estimated in closed form before each nonlinear solve; with this set, the
  // solve refines it jointly with the geometry, else it holds it there (27 fewer of about 100
  // Jacobian columns). Held, the whole fit took 0.91 of the time with the same accuracy on the
  // synthetic benchmark (README, "Photometric stage"); the default keeps the joint refinement
  // the stage was calibrated with.
  bool refine_lighting_in_solve = true;

  RobustLoss robust_loss = RobustLoss::kHuber;
  // Colour residual (norm over r, g, b of values in [0, 1]) where the loss turns robust.
  double robust_scale = 0.1;

  // Coarse-to-fine: the face crop is resampled so that the face spans about face_size pixels at
  // the finest level; each coarser level halves it.
  int pyramid_levels = 2;
  double face_size = 256.0;
  int outer_iterations_per_level = 1;
  int max_iterations = 5;  // Ceres iterations per outer iteration

  // Sample selection: pixels within this many pixels of the face silhouette are skipped (they
  // mix face and background); surfaces seen at grazing angles (|cos| below the threshold) too.
  double silhouette_margin_px = 2.0;
  double min_view_cosine = 0.2;
  bool exclude_eyes_and_mouth = true;

  // The landmark term, the coefficient priors and the focal prior of stage 2 stay in the problem
  // with their FitOptions weights (the coefficient priors times this factor); the landmark
  // correspondences are those stage 2 ended with.
  double prior_scale = 0.3;
  // Rematch the contour (jaw) landmarks to the mesh before every outer iteration after the first.
  bool update_contour_landmarks = true;

  // Throws morphfit::Error naming the first bad field.
  void Validate() const;
};

}  // namespace morphfit::solver
