#pragma once

#include <cmath>

#include <ceres/autodiff_cost_function.h>

namespace morphfit::solver {

// Prior on the focal length, on a log scale so that being 20% too long costs about as much as
// being 20% too short: r = sqrt(weight) * log(f / prior_focal).
struct FocalPriorCost {
  FocalPriorCost(double prior_focal, double weight)
      : log_prior_focal(std::log(prior_focal)), sqrt_weight(std::sqrt(weight)) {}

  template <typename T>
  bool operator()(const T* focal, T* residual) const {
    using std::log;
    residual[0] = T(sqrt_weight) * (log(focal[0]) - T(log_prior_focal));
    return true;
  }

  static ceres::CostFunction* Create(double prior_focal, double weight) {
    return new ceres::AutoDiffCostFunction<FocalPriorCost, 1, 1>(
        new FocalPriorCost(prior_focal, weight));
  }

  double log_prior_focal;
  double sqrt_weight;
};

}  // namespace morphfit::solver
