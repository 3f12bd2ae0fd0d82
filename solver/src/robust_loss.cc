#include "morphfit/solver/robust_loss.h"

namespace morphfit::solver {

std::unique_ptr<ceres::LossFunction> MakeLossFunction(RobustLoss loss, double scale) {
  switch (loss) {
    case RobustLoss::kNone:
      return nullptr;
    case RobustLoss::kHuber:
      return std::make_unique<ceres::HuberLoss>(scale);
    case RobustLoss::kCauchy:
      return std::make_unique<ceres::CauchyLoss>(scale);
  }
  return nullptr;
}

}  // namespace morphfit::solver
