#include "morphfit/eval/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

namespace morphfit::eval {
namespace {

const cv::Scalar kWhite(255, 255, 255), kBlack(0, 0, 0), kGrey(170, 170, 170);
const cv::Scalar kGood(60, 170, 60), kBad(50, 50, 220), kThreshold(200, 90, 20);

std::string Format(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

void Text(cv::Mat& image, const std::string& text, cv::Point at, double scale = 0.4,
          const cv::Scalar& colour = kBlack) {
  cv::putText(image, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv::LINE_AA);
}

// A distinct colour per curve (golden-angle hues).
cv::Scalar CurveColour(int index) {
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar((index * 47) % 180, 220, 200)), bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
  return cv::Scalar(c[0], c[1], c[2]);
}

void DrawPanel(cv::Mat& canvas, cv::Rect area, const StatisticSample& statistic,
               const std::vector<bool>& bad) {
  constexpr int kBins = 30;
  cv::rectangle(canvas, area, kGrey);
  std::vector<double> finite;
  for (double v : statistic.values)
    if (std::isfinite(v)) finite.push_back(v);
  const std::string auc = std::isnan(statistic.auc) ? "-" : Format("%.3f", statistic.auc);
  Text(canvas, statistic.name + "  AUC " + auc, area.tl() + cv::Point(6, 16), 0.45);
  if (finite.empty()) {
    Text(canvas, "(not measured)", area.tl() + cv::Point(6, 40));
    return;
  }
  // Range: from the 1st percentile to a little beyond the bulk (the 90th percentile) or the
  // threshold, so that a few wild values do not flatten the rest; values beyond the range pile
  // up in the last bin (marked ">=").
  std::sort(finite.begin(), finite.end());
  const auto percentile = [&](double p) {
    return finite[static_cast<size_t>(p * (finite.size() - 1))];
  };
  double low = percentile(0.01);
  double high =
      std::min(percentile(1.0), percentile(0.5) + 3 * (percentile(0.9) - percentile(0.5)));
  if (std::isfinite(statistic.threshold)) {
    low = std::min(low, statistic.threshold);
    high = std::max(high, statistic.threshold + 0.2 * (statistic.threshold - low));
  }
  if (!(high > low)) high = low + 1;
  std::vector<double> good_hist(kBins, 0), bad_hist(kBins, 0);
  double good_count = 0, bad_count = 0;
  for (size_t i = 0; i < statistic.values.size(); ++i) {
    const double v = statistic.values[i];
    if (!std::isfinite(v)) continue;
    const int bin = std::clamp(static_cast<int>((v - low) / (high - low) * kBins), 0, kBins - 1);
    (bad[i] ? bad_hist : good_hist)[bin] += 1;
    (bad[i] ? bad_count : good_count) += 1;
  }
  double peak = 1e-12;
  for (int b = 0; b < kBins; ++b) {
    if (good_count > 0) good_hist[b] /= good_count;
    if (bad_count > 0) bad_hist[b] /= bad_count;
    peak = std::max({peak, good_hist[b], bad_hist[b]});
  }
  const cv::Rect plot(area.x + 8, area.y + 26, area.width - 16, area.height - 50);
  const double bin_width = static_cast<double>(plot.width) / kBins;
  auto bar = [&](int b, double height, const cv::Scalar& colour, int offset) {
    const int h = static_cast<int>(height / peak * plot.height);
    const int x0 = plot.x + static_cast<int>(b * bin_width) + offset;
    const int x1 = plot.x + static_cast<int>((b + 0.5) * bin_width) + offset;
    cv::rectangle(canvas, cv::Point(x0, plot.br().y - h), cv::Point(x1, plot.br().y), colour, -1);
  };
  for (int b = 0; b < kBins; ++b) {
    bar(b, good_hist[b], kGood, 0);
    bar(b, bad_hist[b], kBad, static_cast<int>(0.5 * bin_width));
  }
  cv::line(canvas, cv::Point(plot.x, plot.br().y), plot.br(), kBlack);
  if (std::isfinite(statistic.threshold)) {
    const int x =
        plot.x + static_cast<int>((statistic.threshold - low) / (high - low) * plot.width);
    cv::line(canvas, cv::Point(x, plot.y), cv::Point(x, plot.br().y), kThreshold, 2);
    Text(canvas, Format("%.4g", statistic.threshold), cv::Point(x + 3, plot.y + 10), 0.35,
         kThreshold);
  }
  Text(canvas, Format("%.3g", low), cv::Point(plot.x, plot.br().y + 14), 0.35);
  const std::string right = ">=" + Format("%.3g", high);
  Text(canvas, right, cv::Point(plot.br().x - 8 * static_cast<int>(right.size()), plot.br().y + 14),
       0.35);
}

}  // namespace

cv::Mat DrawHistograms(const std::vector<StatisticSample>& statistics,
                       const std::vector<bool>& bad) {
  constexpr int kColumns = 4, kPanelWidth = 360, kPanelHeight = 220, kHeader = 30;
  const int rows = (static_cast<int>(statistics.size()) + kColumns - 1) / kColumns;
  cv::Mat canvas(kHeader + rows * kPanelHeight, kColumns * kPanelWidth, CV_8UC3, kWhite);
  Text(canvas, "good fits", cv::Point(10, 20), 0.55, kGood);
  Text(canvas, "bad fits", cv::Point(110, 20), 0.55, kBad);
  Text(canvas, "threshold (rule fires at and beyond it)", cv::Point(200, 20), 0.55, kThreshold);
  for (size_t s = 0; s < statistics.size(); ++s) {
    const cv::Rect area(static_cast<int>(s % kColumns) * kPanelWidth,
                        kHeader + static_cast<int>(s / kColumns) * kPanelHeight, kPanelWidth,
                        kPanelHeight);
    DrawPanel(canvas, area, statistics[s], bad);
  }
  return canvas;
}

cv::Mat DrawRocCurves(const std::vector<StatisticSample>& statistics,
                      const std::vector<std::vector<RocPoint>>& curves, RocPoint rule_point) {
  constexpr int kPlot = 600, kMargin = 50, kLegend = 330;
  cv::Mat canvas(kPlot + 2 * kMargin, kPlot + 2 * kMargin + kLegend, CV_8UC3, kWhite);
  auto at = [&](const RocPoint& p) {
    return cv::Point(kMargin + static_cast<int>(p.false_positive_rate * kPlot),
                     kMargin + kPlot - static_cast<int>(p.true_positive_rate * kPlot));
  };
  cv::rectangle(canvas, at({0, 1}), at({1, 0}), kBlack);
  cv::line(canvas, at({0, 0}), at({1, 1}), kGrey, 1, cv::LINE_AA);
  for (int tick = 1; tick < 10; ++tick) {
    const double t = tick / 10.0;
    cv::line(canvas, at({t, 0}), at({t, 0.015}), kBlack);
    cv::line(canvas, at({0, t}), at({0.015, t}), kBlack);
  }
  Text(canvas, "false rejection rate (good fits rejected)",
       cv::Point(kMargin + 150, kPlot + kMargin + 35), 0.5);
  Text(canvas, "share of bad fits rejected", cv::Point(5, kMargin - 15), 0.5);
  for (double t : {0.0, 0.5, 1.0}) {
    Text(canvas, Format("%.1f", t), at({t, 0}) + cv::Point(-10, 18), 0.45);
    Text(canvas, Format("%.1f", t), at({0, t}) + cv::Point(-35, 5), 0.45);
  }
  int legend_row = 0;
  for (size_t s = 0; s < statistics.size(); ++s) {
    if (curves[s].size() < 2) continue;
    const cv::Scalar colour = CurveColour(static_cast<int>(s));
    for (size_t i = 1; i < curves[s].size(); ++i) {
      cv::line(canvas, at(curves[s][i - 1]), at(curves[s][i]), colour, 2, cv::LINE_AA);
    }
    const cv::Point legend(kPlot + 2 * kMargin, kMargin + 18 * legend_row++);
    cv::line(canvas, legend + cv::Point(0, -4), legend + cv::Point(20, -4), colour, 3);
    Text(canvas, statistics[s].name + Format("  %.3f", statistics[s].auc),
         legend + cv::Point(26, 0), 0.45);
  }
  cv::circle(canvas, at(rule_point), 7, kBlack, -1, cv::LINE_AA);
  Text(canvas, "the rule", at(rule_point) + cv::Point(10, 18), 0.5);
  return canvas;
}

}  // namespace morphfit::eval
