#pragma once

#include <ceres/cost_function.h>
#include <Eigen/Core>

#include "morphfit/model/morphable_model.h"

namespace morphfit::solver {

// Reprojection residual (2 values) of one model vertex against an observed image point:
//   weight * (project(R m_v + t) - observed),  project = focal * X.xy / X.z + principal point.
// Parameter blocks as PhotometricCost without the lighting: rotation (quaternion w x y z),
// translation, focal, shape, expression (omitted when the model has none). Analytic Jacobians
// through the one vertex's basis rows.
class VertexLandmarkCost : public ceres::CostFunction {
 public:
  VertexLandmarkCost(const model::MorphableModel& model, int vertex,
                     const Eigen::Vector2d& observed, const Eigen::Vector2d& principal_point,
                     double weight);
  bool Evaluate(double const* const* parameters, double* residuals,
                double** jacobians) const override;

 private:
  const model::MorphableModel& model_;
  int vertex_;
  Eigen::Vector2d observed_;
  Eigen::Vector2d principal_point_;
  double weight_;
};

}  // namespace morphfit::solver
