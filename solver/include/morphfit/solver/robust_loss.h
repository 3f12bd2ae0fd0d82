#pragma once

#include <memory>

#include <ceres/loss_function.h>

#include "morphfit/solver/fit_options.h"

namespace morphfit::solver {

// The Ceres loss for `loss` turning robust at residual norm `scale` (in the units of the
// residuals it is applied to); null for RobustLoss::kNone.
std::unique_ptr<ceres::LossFunction> MakeLossFunction(RobustLoss loss, double scale);

}  // namespace morphfit::solver
