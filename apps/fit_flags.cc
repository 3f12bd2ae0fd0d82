#include "fit_flags.h"

#include <gflags/gflags.h>

// The flags of solver::FitOptions, one per field; defaults come from the struct so they are stated
// once. A new flag's default must reproduce the fit from before the flag existed: morphfit-batch
// resumes a folder whose run.json lacks the flag when the rerun keeps it at its default.
static const morphfit::solver::FitOptions kDefaults;
DEFINE_double(fov, kDefaults.fov_deg,
              "Prior horizontal field of view of the photo, degrees: the initial focal length and "
              "the centre of the focal prior");
DEFINE_double(landmark_weight, kDefaults.landmark_weight,
              "Weight of the landmark term (residuals in mm on the face)");
DEFINE_double(shape_prior_weight, kDefaults.shape_prior_weight,
              "Weight of the Tikhonov prior |c|^2 on shape coefficients (std units)");
DEFINE_double(expression_prior_weight, kDefaults.expression_prior_weight,
              "Weight of the prior |c|^2 on expression coefficients");
DEFINE_double(focal_prior_weight, kDefaults.focal_prior_weight,
              "Weight of the prior log(focal / prior focal)^2");
DEFINE_bool(optimize_focal, kDefaults.optimize_focal,
            "Refine the focal length (with its prior); false keeps the --fov focal");
DEFINE_bool(nonnegative_blendshapes, kDefaults.nonnegative_blendshapes,
            "Keep blendshape expression weights >= 0");
DEFINE_string(robust_loss, morphfit::solver::RobustLossName(kDefaults.robust_loss),
              "Robust loss on landmark residuals: huber | cauchy | none");
DEFINE_double(robust_scale, kDefaults.robust_scale,
              "Where the robust loss turns from quadratic, mm on the face");
DEFINE_int32(shape_components, kDefaults.shape_components,
             "Leading shape components to fit (0 = all)");
DEFINE_int32(expression_components, kDefaults.expression_components,
             "Leading expression components to fit (0 = all)");
DEFINE_int32(max_iterations, kDefaults.max_iterations, "Ceres iterations per solve");
DEFINE_int32(contour_iterations, kDefaults.contour_iterations,
             "Outer iterations of jaw-contour re-matching and solving");
DEFINE_double(contour_side_yaw, kDefaults.contour_side_yaw_deg,
              "Beyond this |yaw| (degrees) only the jaw contour facing the camera is fitted");
DEFINE_bool(far_contour_to_silhouette, kDefaults.far_contour_to_silhouette,
            "Beyond --contour_side_yaw, fit the far side's jaw landmarks to the mesh silhouette "
            "(false: leave them out)");
DEFINE_double(function_tolerance, kDefaults.function_tolerance,
              "Ceres relative cost-change tolerance");
DEFINE_double(parameter_tolerance, kDefaults.parameter_tolerance,
              "Ceres relative step-size tolerance");

// Stage 3: photometric analysis by synthesis (README "Photometric stage").
static const morphfit::solver::PhotometricOptions kPhotoDefaults;
DEFINE_string(stages, "photometric",
              "How far to fit: landmarks (stages 1-2) or photometric (stages 1-3)");
DEFINE_double(photo_weight, kPhotoDefaults.photo_weight,
              "Weight of the photometric term: its cost is photo_weight^2 times the mean squared "
              "colour residual (colours in [0, 1]), whatever --photo_samples is");
DEFINE_int32(photo_samples, kPhotoDefaults.samples,
             "Visible surface samples per outer iteration (stratified over the face)");
DEFINE_int32(photo_albedo_samples, kPhotoDefaults.albedo_samples,
             "Samples the per-vertex albedo is estimated from (0: the --photo_samples ones; else "
             ">= --photo_samples). More let the albedo follow skin texture; see README");
DEFINE_double(albedo_prior_weight, kPhotoDefaults.albedo_prior_weight,
              "Per-vertex albedo: pull towards the constant reference (per vertex); with an albedo "
              "PCA, the prior on its coefficients");
DEFINE_double(albedo_smoothness_weight, kPhotoDefaults.albedo_smoothness_weight,
              "Per-vertex albedo: smoothness over mesh edges");
DEFINE_double(albedo_smoothness_start, kPhotoDefaults.initial_albedo_smoothness_scale,
              "Per-vertex albedo coarse-to-fine: the first outer iteration multiplies the "
              "smoothness weight by this (>= 1), falling geometrically to 1 at the last");
DEFINE_bool(photo_update_contour, kPhotoDefaults.update_contour_landmarks,
            "Stage 3: rematch the jaw (contour) landmarks to the mesh between outer iterations");
DEFINE_double(albedo_symmetry_weight, kPhotoDefaults.albedo_symmetry_weight,
              "Per-vertex albedo: left-right symmetry (sfm_reference_symmetry.txt)");
DEFINE_bool(photo_refine_lighting, kPhotoDefaults.refine_lighting_in_solve,
            "Stage 3: refine the SH lighting inside each nonlinear solve (else hold it at the "
            "closed-form estimate made before the solve: about 9% faster, see README)");
DEFINE_double(light_prior_weight, kPhotoDefaults.light_prior_weight,
              "Ridge on the non-constant SH lighting coefficients, relative to the mean "
              "photometric term");
DEFINE_string(photo_robust_loss, morphfit::solver::RobustLossName(kPhotoDefaults.robust_loss),
              "Robust loss of the photometric residuals: huber, cauchy or none");
DEFINE_double(photo_robust_scale, kPhotoDefaults.robust_scale,
              "Colour residual (RGB norm, colours in [0, 1]) where the photometric loss turns "
              "robust; also the inlier threshold in fit.json");
DEFINE_int32(pyramid_levels, kPhotoDefaults.pyramid_levels,
             "Coarse-to-fine levels of the face crop, each half the size of the previous");
DEFINE_double(photo_face_size, kPhotoDefaults.face_size,
              "Face size in pixels at the finest level (larger photos are downsampled)");
DEFINE_int32(photo_outer_iterations, kPhotoDefaults.outer_iterations_per_level,
             "Render-sample-solve rounds per pyramid level");
DEFINE_int32(photo_max_iterations, kPhotoDefaults.max_iterations,
             "Ceres iterations per photometric solve");
DEFINE_bool(photo_exclude_eyes_and_mouth, kPhotoDefaults.exclude_eyes_and_mouth,
            "Take no photometric samples inside the eyes and the inner mouth");

namespace morphfit::apps {

solver::FitOptions FitOptionsFromFlags() {
  solver::FitOptions fit;
  fit.fov_deg = FLAGS_fov;
  fit.landmark_weight = FLAGS_landmark_weight;
  fit.shape_prior_weight = FLAGS_shape_prior_weight;
  fit.expression_prior_weight = FLAGS_expression_prior_weight;
  fit.focal_prior_weight = FLAGS_focal_prior_weight;
  fit.optimize_focal = FLAGS_optimize_focal;
  fit.nonnegative_blendshapes = FLAGS_nonnegative_blendshapes;
  fit.robust_loss = solver::ParseRobustLoss(FLAGS_robust_loss);
  fit.robust_scale = FLAGS_robust_scale;
  fit.shape_components = FLAGS_shape_components;
  fit.expression_components = FLAGS_expression_components;
  fit.max_iterations = FLAGS_max_iterations;
  fit.contour_iterations = FLAGS_contour_iterations;
  fit.contour_side_yaw_deg = FLAGS_contour_side_yaw;
  fit.far_contour_to_silhouette = FLAGS_far_contour_to_silhouette;
  fit.function_tolerance = FLAGS_function_tolerance;
  fit.parameter_tolerance = FLAGS_parameter_tolerance;
  fit.Validate();
  return fit;
}

solver::PhotometricOptions PhotometricOptionsFromFlags() {
  solver::PhotometricOptions photo;
  photo.photo_weight = FLAGS_photo_weight;
  photo.samples = FLAGS_photo_samples;
  photo.albedo_samples = FLAGS_photo_albedo_samples;
  photo.albedo_prior_weight = FLAGS_albedo_prior_weight;
  photo.albedo_smoothness_weight = FLAGS_albedo_smoothness_weight;
  photo.initial_albedo_smoothness_scale = FLAGS_albedo_smoothness_start;
  photo.update_contour_landmarks = FLAGS_photo_update_contour;
  photo.refine_lighting_in_solve = FLAGS_photo_refine_lighting;
  photo.albedo_symmetry_weight = FLAGS_albedo_symmetry_weight;
  photo.light_prior_weight = FLAGS_light_prior_weight;
  photo.robust_loss = solver::ParseRobustLoss(FLAGS_photo_robust_loss);
  photo.robust_scale = FLAGS_photo_robust_scale;
  photo.pyramid_levels = FLAGS_pyramid_levels;
  photo.face_size = FLAGS_photo_face_size;
  photo.outer_iterations_per_level = FLAGS_photo_outer_iterations;
  photo.max_iterations = FLAGS_photo_max_iterations;
  photo.exclude_eyes_and_mouth = FLAGS_photo_exclude_eyes_and_mouth;
  photo.Validate();
  return photo;
}

std::string FitStagesFlag() { return FLAGS_stages; }

}  // namespace morphfit::apps
