#include "morphfit/solver/robust_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace morphfit::solver {

double Median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + middle);
  return 0.5 * (lower + upper);
}

double ScaledMedianAbsoluteDeviation(const std::vector<double>& values) {
  // 1 / Phi^-1(3/4): makes the MAD a consistent estimator of sigma for normal data.
  constexpr double kNormalConsistency = 1.4826;
  const double median = Median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double value : values) deviations.push_back(std::abs(value - median));
  return kNormalConsistency * Median(std::move(deviations));
}

}  // namespace morphfit::solver
