#pragma once

// Pictures of an evaluation that a person would rather look at than read, drawn with OpenCV.

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "morphfit/eval/roc.h"

namespace morphfit::eval {

struct StatisticSample {
  std::string name;
  std::vector<double> values;  // per case; NaN where the statistic is missing
  double threshold = 0;        // the rule's threshold (not drawn when non-finite)
  double auc = 0;
};

// One panel per statistic: histograms of good (green) and bad (red) fits, each normalised to its
// own count, with the threshold as a blue line. CV_8UC3.
cv::Mat DrawHistograms(const std::vector<StatisticSample>& statistics,
                       const std::vector<bool>& bad);

// ROC curves of every statistic (scores oriented so that higher is worse) with AUCs in the legend,
// and the operating point of the whole rule as a black dot. CV_8UC3.
cv::Mat DrawRocCurves(const std::vector<StatisticSample>& statistics,
                      const std::vector<std::vector<RocPoint>>& curves, RocPoint rule_point);

}  // namespace morphfit::eval
