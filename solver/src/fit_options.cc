#include "morphfit/solver/fit_options.h"

#include <cmath>

#include "morphfit/model/error.h"

namespace morphfit::solver {

RobustLoss ParseRobustLoss(const std::string& name) {
  if (name == "none") return RobustLoss::kNone;
  if (name == "huber") return RobustLoss::kHuber;
  if (name == "cauchy") return RobustLoss::kCauchy;
  throw Error("robust_loss: '" + name + "' is not one of huber, cauchy, none");
}

std::string RobustLossName(RobustLoss loss) {
  switch (loss) {
    case RobustLoss::kNone:
      return "none";
    case RobustLoss::kHuber:
      return "huber";
    case RobustLoss::kCauchy:
      return "cauchy";
  }
  return "unknown";
}

namespace {
void Require(bool condition, const std::string& field, double value, const std::string& rule) {
  if (!condition) {
    throw Error("fit option " + field + " = " + std::to_string(value) + ": must be " + rule);
  }
}
}  // namespace

void FitOptions::Validate() const {
  Require(std::isfinite(fov_deg) && fov_deg > 1 && fov_deg < 170, "fov", fov_deg,
          "between 1 and 170 degrees");
  Require(std::isfinite(landmark_weight) && landmark_weight > 0, "landmark_weight", landmark_weight,
          "> 0");
  Require(std::isfinite(shape_prior_weight) && shape_prior_weight >= 0, "shape_prior_weight",
          shape_prior_weight, ">= 0");
  Require(std::isfinite(expression_prior_weight) && expression_prior_weight >= 0,
          "expression_prior_weight", expression_prior_weight, ">= 0");
  Require(std::isfinite(focal_prior_weight) && focal_prior_weight >= 0, "focal_prior_weight",
          focal_prior_weight, ">= 0");
  Require(std::isfinite(robust_scale) && robust_scale > 0, "robust_scale", robust_scale, "> 0");
  Require(shape_components >= 0, "shape_components", shape_components, ">= 0 (0 = all)");
  Require(expression_components >= 0, "expression_components", expression_components,
          ">= 0 (0 = all)");
  Require(max_iterations >= 1, "max_iterations", max_iterations, ">= 1");
  Require(contour_iterations >= 1, "contour_iterations", contour_iterations, ">= 1");
  Require(std::isfinite(contour_side_yaw_deg) && contour_side_yaw_deg >= 0 &&
              contour_side_yaw_deg <= 90,
          "contour_side_yaw_deg", contour_side_yaw_deg, "between 0 and 90 degrees");
  Require(std::isfinite(function_tolerance) && function_tolerance > 0, "function_tolerance",
          function_tolerance, "> 0");
  Require(std::isfinite(parameter_tolerance) && parameter_tolerance > 0, "parameter_tolerance",
          parameter_tolerance, "> 0");
}

}  // namespace morphfit::solver
