#include "morphfit/batch/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "morphfit/batch/expression_class.h"

namespace morphfit::batch {

namespace {
constexpr size_t kFailureExamples = 10;

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double percent) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(percent / 100.0 * sorted.size()));
  return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

std::string Row(const std::string& name, const std::vector<std::string>& classes,
                const std::map<std::string, ClassCounts>& per_class, const ClassCounts& total,
                int ClassCounts::*field) {
  std::string line = "| " + name + " |";
  for (const std::string& expression_class : classes) {
    const auto found = per_class.find(expression_class);
    line += " " + std::to_string(found == per_class.end() ? 0 : found->second.*field) + " |";
  }
  return line + " " + std::to_string(total.*field) + " |\n";
}

std::string Seconds(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3f", value);
  return buffer;
}
}  // namespace

BatchSummary Summarize(const std::vector<ResultRow>& rows) {
  BatchSummary summary;
  summary.classes = BasicExpressionClasses();
  std::map<std::string, int> reasons;
  std::vector<double> seconds;
  for (const ResultRow& row : rows) {
    if (std::find(summary.classes.begin(), summary.classes.end(), row.expression_class) ==
        summary.classes.end()) {
      summary.classes.push_back(row.expression_class);
    }
    for (ClassCounts* counts : {&summary.per_class[row.expression_class], &summary.total}) {
      ++counts->input;
      if (row.verdict == "kept") ++counts->kept;
      if (row.verdict == "rejected") ++counts->rejected;
      if (row.verdict == "failed") ++counts->failed;
    }
    if (row.verdict == "rejected") {
      for (const std::string& reason : row.reasons) ++reasons[reason];
    }
    if (row.verdict == "failed") {
      if (summary.failure_examples.size() < kFailureExamples) {
        summary.failure_examples.push_back(row.image + ": " + row.error);
      }
    } else {
      seconds.push_back(row.seconds);
    }
  }
  std::sort(summary.classes.begin() + BasicExpressionClasses().size(), summary.classes.end());
  summary.reasons.assign(reasons.begin(), reasons.end());
  std::stable_sort(summary.reasons.begin(), summary.reasons.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::sort(seconds.begin(), seconds.end());
  summary.timed = static_cast<int>(seconds.size());
  if (!seconds.empty()) {
    summary.time_p50 = Percentile(seconds, 50);
    summary.time_p90 = Percentile(seconds, 90);
    summary.time_p99 = Percentile(seconds, 99);
    summary.time_max = seconds.back();
    double sum = 0;
    for (const double value : seconds) sum += value;
    summary.time_mean = sum / seconds.size();
  }
  return summary;
}

std::string SummaryMarkdown(const BatchSummary& summary, const std::string& title) {
  std::string text = "# " + title + "\n\n| |";
  std::string rule = "|---|";
  for (const std::string& expression_class : summary.classes) {
    text += " " + expression_class + " |";
    rule += "---:|";
  }
  text += " Total |\n" + rule + "---:|\n";
  text += Row("input", summary.classes, summary.per_class, summary.total, &ClassCounts::input);
  text += Row("kept", summary.classes, summary.per_class, summary.total, &ClassCounts::kept);
  text +=
      Row("rejected", summary.classes, summary.per_class, summary.total, &ClassCounts::rejected);
  text += Row("failed", summary.classes, summary.per_class, summary.total, &ClassCounts::failed);

  text += "\n## Rejection reasons\n\n";
  if (summary.reasons.empty()) {
    text += "No fit was rejected.\n";
  } else {
    text +=
        "A fit rejected for several reasons counts under each.\n\n| reason | fits | of rejected "
        "|\n|---|---:|---:|\n";
    for (const auto& [reason, count] : summary.reasons) {
      char share[32];
      std::snprintf(share, sizeof(share), "%.1f%%",
                    100.0 * count / std::max(1, summary.total.rejected));
      text += "| " + reason + " | " + std::to_string(count) + " | " + share + " |\n";
    }
  }

  text += "\n## Fit time per image (kept and rejected, seconds)\n\n";
  text += "| fits | mean | p50 | p90 | p99 | max |\n|---:|---:|---:|---:|---:|---:|\n";
  text += "| " + std::to_string(summary.timed) + " | " + Seconds(summary.time_mean) + " | " +
          Seconds(summary.time_p50) + " | " + Seconds(summary.time_p90) + " | " +
          Seconds(summary.time_p99) + " | " + Seconds(summary.time_max) + " |\n";

  if (!summary.failure_examples.empty()) {
    text += "\n## Failures (first " + std::to_string(summary.failure_examples.size()) + " of " +
            std::to_string(summary.total.failed) + ")\n\n";
    for (const std::string& example : summary.failure_examples) text += "- " + example + "\n";
  }
  return text;
}

}  // namespace morphfit::batch
