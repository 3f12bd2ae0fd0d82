#pragma once

// Receiver operating characteristic of one statistic as a detector of bad fits.

#include <vector>

namespace morphfit::eval {

struct RocPoint {
  double false_positive_rate = 0;  // good fits flagged / good fits
  double true_positive_rate = 0;   // bad fits flagged / bad fits
};

// `scores` grow with badness; NaN scores (the statistic is missing) are left out. The curve runs
// from (0, 0) to (1, 1) with one point per distinct score.
std::vector<RocPoint> RocCurve(const std::vector<double>& scores, const std::vector<bool>& bad);

// Area under the curve: the probability that a random bad fit scores higher than a random good
// one, ties counting half (Mann-Whitney). NaN when either class is empty.
double RocAuc(const std::vector<double>& scores, const std::vector<bool>& bad);

}  // namespace morphfit::eval
