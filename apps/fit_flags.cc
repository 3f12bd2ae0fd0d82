#include "fit_flags.h"

#include <gflags/gflags.h>

// The flags of solver::FitOptions, one per field; defaults come from the struct so they are stated
// once.
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

}  // namespace morphfit::apps
