#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "morphfit/batch/results_table.h"

namespace morphfit::batch {

struct ClassCounts {
  int input = 0;
  int kept = 0;
  int rejected = 0;
  int failed = 0;
};

// What a results table says about a dataset, in the form of the reference datasets' tables.
struct BatchSummary {
  // Table columns: the eight basic classes always, in their order, then any other class present
  // (Unlabelled, None, ...).
  std::vector<std::string> classes;
  std::map<std::string, ClassCounts> per_class;
  ClassCounts total;
  // Rejection reasons by the number of rejected fits they fired on, most frequent first.
  std::vector<std::pair<std::string, int>> reasons;
  // Fit time of kept and rejected images, seconds: percentiles 50, 90, 99 and the maximum.
  int timed = 0;
  double time_p50 = 0, time_p90 = 0, time_p99 = 0, time_max = 0, time_mean = 0;
  // The first failures, "image: message", in image order.
  std::vector<std::string> failure_examples;
};

BatchSummary Summarize(const std::vector<ResultRow>& rows);

// Markdown: the per-class table, the reasons, the timings and failure examples.
std::string SummaryMarkdown(const BatchSummary& summary, const std::string& title);

}  // namespace morphfit::batch
