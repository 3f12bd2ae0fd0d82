#include "morphfit/eval/roc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace morphfit::eval {
namespace {

struct Scored {
  double score;
  bool bad;
};

std::vector<Scored> Present(const std::vector<double>& scores, const std::vector<bool>& bad) {
  std::vector<Scored> present;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isnan(scores[i])) present.push_back({scores[i], bad[i]});
  }
  // Highest score first; the order within ties does not matter below.
  std::sort(present.begin(), present.end(),
            [](const Scored& a, const Scored& b) { return a.score > b.score; });
  return present;
}

}  // namespace

std::vector<RocPoint> RocCurve(const std::vector<double>& scores, const std::vector<bool>& bad) {
  const std::vector<Scored> present = Present(scores, bad);
  const double num_bad =
      std::count_if(present.begin(), present.end(), [](auto& s) { return s.bad; });
  const double num_good = present.size() - num_bad;
  std::vector<RocPoint> curve = {{0, 0}};
  if (num_bad == 0 || num_good == 0) return curve;
  double flagged_bad = 0, flagged_good = 0;
  for (size_t i = 0; i < present.size(); ++i) {
    (present[i].bad ? flagged_bad : flagged_good) += 1;
    if (i + 1 < present.size() && present[i + 1].score == present[i].score) continue;
    curve.push_back({flagged_good / num_good, flagged_bad / num_bad});
  }
  return curve;
}

double RocAuc(const std::vector<double>& scores, const std::vector<bool>& bad) {
  const std::vector<RocPoint> curve = RocCurve(scores, bad);
  if (curve.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  // Trapezoids over the tie-grouped curve are exactly the Mann-Whitney statistic with ties as 1/2.
  double area = 0;
  for (size_t i = 1; i < curve.size(); ++i) {
    area += (curve[i].false_positive_rate - curve[i - 1].false_positive_rate) * 0.5 *
            (curve[i].true_positive_rate + curve[i - 1].true_positive_rate);
  }
  return area;
}

}  // namespace morphfit::eval
