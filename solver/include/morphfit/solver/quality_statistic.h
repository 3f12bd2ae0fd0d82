#pragma once

// The fit statistics the quality rule can decide on, by name, with the direction in which a
// value gets worse. The rule, the batch-relative rule and morphfit-eval (ROC, calibration) all
// read statistics through this one table.

#include <optional>
#include <string>
#include <vector>

#include "morphfit/solver/fit_statistics.h"

namespace morphfit::solver {

enum class Worse { kHigher, kLower };

struct QualityStatistic {
  const char* name;
  Worse worse;
  // The value, or nothing when the fit does not have it (photometric values without that stage).
  std::optional<double> (*value)(const FitStatistics&);
};

const std::vector<QualityStatistic>& QualityStatistics();
// Throws morphfit::Error listing the known names when `name` is not one of them.
const QualityStatistic& FindQualityStatistic(const std::string& name);

}  // namespace morphfit::solver
