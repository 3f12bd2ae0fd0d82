#include "morphfit/solver/fit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include <ceres/loss_function.h>
#include <ceres/manifold.h>
#include <ceres/problem.h>
#include <ceres/rotation.h>
#include <ceres/solver.h>

#include "morphfit/model/error.h"
#include "morphfit/solver/contour_correspondence.h"
#include "morphfit/solver/focal_prior.h"
#include "morphfit/solver/landmark_cost.h"
#include "morphfit/solver/landmark_statistics.h"
#include "morphfit/solver/rigid_init.h"
#include "morphfit/solver/robust_loss.h"

namespace morphfit::solver {

namespace {

constexpr double kDegree = M_PI / 180.0;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int ComponentCount(int requested, const model::LinearBasis& basis) {
  return requested > 0 ? std::min(requested, basis.num_components()) : basis.num_components();
}

void UpdateFittedLandmarks(const model::MorphableModel& model, const Landmarks& landmarks,
                           FitResult& result, StageStatistics& stage) {
  result.fitted_landmarks =
      ProjectModelLandmarks(model, result.shape_coefficients, result.expression_coefficients,
                            result.camera, result.landmark_vertices, landmarks);
  const LandmarkErrors errors =
      MeasureLandmarkErrors(landmarks, result.fitted_landmarks, result.landmark_in_fit);
  stage.landmark_rms_px = errors.rms_px;
  stage.landmark_max_px = errors.max_px;
  stage.landmark_rms_nme = errors.rms_nme;
}

std::unique_ptr<ceres::LossFunction> MakeLoss(const FitOptions& options) {
  // Residuals carry sqrt(landmark_weight), so the scale in mm moves with them.
  return MakeLossFunction(options.robust_loss,
                          options.robust_scale * std::sqrt(options.landmark_weight));
}

// The parameter blocks of stage 2, in the layout the cost functions expect.
struct LandmarkParameters {
  double rotation[4];  // Ceres quaternion order: w x y z
  double translation[3];
  double focal[1];
  Eigen::VectorXd shape;
  Eigen::VectorXd expression;
  // Expression components fixed at zero: blendshape weights that wanted to go negative.
  std::vector<bool> held_at_zero;

  explicit LandmarkParameters(const FitResult& result)
      : shape(result.shape_coefficients),
        expression(result.expression_coefficients),
        held_at_zero(expression.size(), false) {
    ceres::RotationMatrixToQuaternion(ceres::ColumnMajorAdapter3x3(result.camera.rotation.data()),
                                      rotation);
    for (int i = 0; i < 3; ++i) translation[i] = result.camera.translation[i];
    focal[0] = result.camera.focal;
  }

  void CopyTo(FitResult& result) const {
    ceres::QuaternionToRotation(rotation,
                                ceres::ColumnMajorAdapter3x3(result.camera.rotation.data()));
    for (int i = 0; i < 3; ++i) result.camera.translation[i] = translation[i];
    result.camera.focal = focal[0];
    result.shape_coefficients = shape;
    result.expression_coefficients = expression;
  }
};

ceres::Solver::Summary SolveLandmarks(const model::MorphableModel& model,
                                      const Landmarks& landmarks, const FitOptions& options,
                                      double prior_focal, double pixels_per_mm,
                                      const FitResult& correspondences,
                                      LandmarkParameters& parameters) {
  const int num_shape = static_cast<int>(parameters.shape.size());
  const int num_expression = static_cast<int>(parameters.expression.size());
  std::unique_ptr<ceres::LossFunction> loss = MakeLoss(options);
  ceres::Problem::Options problem_options;
  problem_options.loss_function_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
  ceres::Problem problem(problem_options);

  std::vector<double*> blocks = {parameters.rotation, parameters.translation, parameters.focal,
                                 parameters.shape.data()};
  if (num_expression > 0) blocks.push_back(parameters.expression.data());
  const double scale = std::sqrt(options.landmark_weight) / pixels_per_mm;
  const Eigen::Vector2d principal_point = correspondences.camera.principal_point;
  for (int i = 0; i < model::kNumIbugLandmarks; ++i) {
    if (!correspondences.landmark_in_fit[i]) continue;
    const int vertex = correspondences.landmark_vertices[i];
    problem.AddResidualBlock(
        LandmarkCost::Create(model.mean.segment<3>(3 * vertex), model.shape, num_shape,
                             model.expression, num_expression, vertex, landmarks.row(i).transpose(),
                             principal_point, scale),
        loss.get(), blocks);
  }
  problem.SetManifold(parameters.rotation, new ceres::QuaternionManifold);
  if (options.shape_prior_weight > 0) {
    problem.AddResidualBlock(CoefficientPriorCost::Create(num_shape, options.shape_prior_weight),
                             nullptr, parameters.shape.data());
  }
  if (num_expression > 0) {
    if (options.expression_prior_weight > 0) {
      problem.AddResidualBlock(
          CoefficientPriorCost::Create(num_expression, options.expression_prior_weight), nullptr,
          parameters.expression.data());
    }
    // Blendshape weights held at zero (see FitLandmarks) stay out of the solve.
    std::vector<int> held;
    for (int k = 0; k < num_expression; ++k) {
      if (parameters.held_at_zero[k]) {
        parameters.expression[k] = 0;
        held.push_back(k);
      }
    }
    if (static_cast<int>(held.size()) == num_expression) {
      problem.SetParameterBlockConstant(parameters.expression.data());
    } else if (!held.empty()) {
      problem.SetManifold(parameters.expression.data(),
                          new ceres::SubsetManifold(num_expression, held));
    }
  }
  if (options.optimize_focal) {
    if (options.focal_prior_weight > 0) {
      problem.AddResidualBlock(FocalPriorCost::Create(prior_focal, options.focal_prior_weight),
                               nullptr, parameters.focal);
    }
  } else {
    problem.SetParameterBlockConstant(parameters.focal);
  }

  ceres::Solver::Options solver_options;
  solver_options.linear_solver_type = ceres::DENSE_NORMAL_CHOLESKY;
  solver_options.num_threads = 1;
  solver_options.max_num_iterations = options.max_iterations;
  solver_options.function_tolerance = options.function_tolerance;
  solver_options.parameter_tolerance = options.parameter_tolerance;
  solver_options.logging_type = ceres::SILENT;
  ceres::Solver::Summary summary;
  ceres::Solve(solver_options, &problem, &summary);
  return summary;
}

}  // namespace

FitResult FitRigid(const model::MorphableModel& model, const Landmarks& landmarks,
                   ImageSize image_size, const FitOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  options.Validate();
  if (image_size.width <= 0 || image_size.height <= 0) {
    throw Error("fit: image size " + std::to_string(image_size.width) + " x " +
                std::to_string(image_size.height) + " is empty");
  }
  FitResult result;
  const double focal = render::FocalFromFov(options.fov_deg * kDegree, image_size.width);
  result.camera = EstimateRigidPose(model, landmarks, image_size.width, image_size.height, focal);
  result.shape_coefficients =
      Eigen::VectorXd::Zero(ComponentCount(options.shape_components, model.shape));
  result.expression_coefficients = Eigen::VectorXd::Zero(
      model.expression.empty() ? 0
                               : ComponentCount(options.expression_components, model.expression));
  UpdateLandmarkCorrespondences(model, landmarks, options, result);

  StageStatistics stage;
  stage.name = "rigid";
  stage.termination = "closed form (solvePnP)";
  UpdateFittedLandmarks(model, landmarks, result, stage);
  stage.seconds = SecondsSince(start);
  result.stages.push_back(stage);
  return result;
}

void FitLandmarks(const model::MorphableModel& model, const Landmarks& landmarks,
                  const FitOptions& options, FitResult& result) {
  const auto start = std::chrono::steady_clock::now();
  options.Validate();
  const double prior_focal = render::FocalFromFov(options.fov_deg * kDegree, result.camera.width);
  // The face's scale in pixels per mm at the start of the stage, fixed during it so that every
  // solve minimises the same cost.
  const double pixels_per_mm = result.camera.focal / result.camera.translation.z();

  StageStatistics stage;
  stage.name = "landmarks";
  LandmarkParameters parameters(result);
  std::array<int, 68> solved_vertices{};
  std::array<bool, 68> solved_in_fit{};
  bool newly_held = false;
  for (int outer = 0; outer < options.contour_iterations; ++outer) {
    UpdateLandmarkCorrespondences(model, landmarks, options, result);
    if (outer == 0) {
      // Nearest-vertex contour matches made on the mean shape at the rigid pose are often off by
      // a few candidates, and a shape fitted to them keeps them (a local minimum). The first solve
      // therefore uses the fixed landmarks alone; contours join once pose and shape are close.
      for (int i = 0; i < model::kNumIbugLandmarks; ++i) {
        if (model.landmarks.IsContour(i)) result.landmark_in_fit[i] = false;
      }
    }
    if (outer > 0 && !newly_held && result.landmark_vertices == solved_vertices &&
        result.landmark_in_fit == solved_in_fit) {
      break;
    }
    const ceres::Solver::Summary summary =
        SolveLandmarks(model, landmarks, options, prior_focal, pixels_per_mm, result, parameters);
    if (summary.termination_type == ceres::FAILURE) {
      throw Error("landmark fit: Ceres failed: " + summary.message);
    }
    // Non-negative blendshapes by an active set: a weight that comes out negative is set to zero
    // and held there for the rest of the stage (bounds in Ceres would cost a projected line search
    // per iteration, several times slower here).
    newly_held = false;
    if (!model.expression.is_pca && options.nonnegative_blendshapes) {
      for (Eigen::Index k = 0; k < parameters.expression.size(); ++k) {
        if (parameters.expression[k] < 0) {
          parameters.expression[k] = 0;
          parameters.held_at_zero[k] = true;
          newly_held = true;
        }
      }
    }
    parameters.CopyTo(result);
    solved_vertices = result.landmark_vertices;
    solved_in_fit = result.landmark_in_fit;
    if (outer == 0) stage.initial_cost = summary.initial_cost;
    stage.final_cost = summary.final_cost;
    stage.iterations += static_cast<int>(summary.iterations.size());
    stage.termination = ceres::TerminationTypeToString(summary.termination_type);
    ++stage.outer_iterations;
  }
  // Report the correspondences of the final state.
  UpdateLandmarkCorrespondences(model, landmarks, options, result);
  UpdateFittedLandmarks(model, landmarks, result, stage);
  stage.seconds = SecondsSince(start);
  result.stages.push_back(stage);
}

FitResult Fit(const model::MorphableModel& model, const Landmarks& landmarks, ImageSize image_size,
              const FitOptions& options) {
  FitResult result = FitRigid(model, landmarks, image_size, options);
  FitLandmarks(model, landmarks, options, result);
  return result;
}

}  // namespace morphfit::solver
