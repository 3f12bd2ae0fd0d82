#include "morphfit/batch/batch_rule_pass.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "fit_json_verdict.h"
#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/solver/quality_json.h"

namespace morphfit::batch {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// A fit.json as text (to tell whether the pass changes it) and parsed.
json ReadFitJson(const std::string& path, std::string& text) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw FileError(path, "cannot open (the batch rule reads every fit's fit.json)");
  text.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  try {
    return json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw FileError(path, std::string("not JSON: ") + e.what());
  }
}

solver::FitStatistics StatisticsOf(const json& fit_json, const std::string& path) {
  const auto quality = fit_json.find("quality");
  if (quality == fit_json.end() || !quality->contains("statistics")) {
    throw FileError(path, "no \"quality\".\"statistics\" for the batch rule");
  }
  try {
    return solver::FitStatisticsFromJson((*quality)["statistics"]);
  } catch (const Error& e) {
    throw FileError(path, e.what());
  }
}

bool IsOutlierReason(const json& reason) {
  return reason.is_object() && reason.value("name", "") == "outlier_k";
}

// Why ComputeBatchLimits gave a statistic of the rule no limit.
std::vector<SkippedBatchStatistic> SkippedStatistics(
    const std::vector<solver::FitStatistics>& batch, const solver::QualityRule& rule,
    const std::vector<solver::BatchLimit>& limits) {
  std::vector<SkippedBatchStatistic> skipped;
  if (rule.outlier_k == 0) return skipped;
  for (const std::string& name : rule.outlier_statistics) {
    const bool has_limit = std::any_of(limits.begin(), limits.end(),
                                       [&](const auto& limit) { return limit.statistic == name; });
    if (has_limit) continue;
    const solver::QualityStatistic& statistic = solver::FindQualityStatistic(name);
    SkippedBatchStatistic entry{name, 0, ""};
    for (const solver::FitStatistics& fit : batch) {
      const std::optional<double> value = statistic.value(fit);
      if (value && std::isfinite(*value)) ++entry.count;
    }
    entry.why = entry.count < rule.outlier_min_batch
                    ? "fewer finite values than outlier_min_batch (" +
                          std::to_string(rule.outlier_min_batch) + ")"
                    : "scaled MAD is 0";
    skipped.push_back(entry);
  }
  return skipped;
}

std::string Format(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

}  // namespace

BatchRuleOutcome ApplyBatchRule(const std::string& results_dir, const solver::QualityRule& rule,
                                std::vector<ResultRow>& rows) {
  rule.Validate();
  const fs::path dir(results_dir);
  BatchRuleOutcome outcome;
  outcome.outlier_k = rule.outlier_k;
  outcome.outlier_min_batch = rule.outlier_min_batch;

  // The batch: the statistics of every fit, whatever its verdict (failed images have none). With
  // the rule off they are not needed: the pass only removes what an earlier one added.
  std::vector<size_t> fitted;
  std::vector<solver::FitStatistics> batch;
  std::string text;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].verdict == "failed") {
      ++outcome.failed;
      continue;
    }
    const std::string path = (dir / rows[i].output / "fit.json").string();
    batch.push_back(rule.outlier_k > 0 ? StatisticsOf(ReadFitJson(path, text), path)
                                       : solver::FitStatistics());
    fitted.push_back(i);
  }
  outcome.fits = static_cast<int>(batch.size());
  outcome.limits = solver::ComputeBatchLimits(batch, rule);
  outcome.beyond.assign(outcome.limits.size(), 0);
  outcome.skipped = SkippedStatistics(batch, rule, outcome.limits);

  // Each fit.json, then its row. The file is read again rather than kept: a dataset's fit.json
  // files do not fit in memory together.
  for (size_t j = 0; j < fitted.size(); ++j) {
    ResultRow& row = rows[fitted[j]];
    const std::string path = (dir / row.output / "fit.json").string();
    json fit = ReadFitJson(path, text);
    try {
      solver::RecordBatchOutliers(batch[j], rule, outcome.limits, outcome.fits, fit);
    } catch (const Error& e) {
      throw FileError(path, e.what());
    }
    bool absolute = false, outlier = false;
    for (const json& reason : fit["reasons"]) {
      if (!IsOutlierReason(reason)) {
        absolute = true;
        continue;
      }
      outlier = true;
      for (size_t l = 0; l < outcome.limits.size(); ++l) {
        if (outcome.limits[l].statistic == reason.value("statistic", "")) ++outcome.beyond[l];
      }
    }
    outcome.rejected += outlier;
    outcome.rejected_alone += outlier && !absolute;
    const std::string updated = fit.dump(2) + "\n";
    if (updated != text) {
      WriteFileAtomically(path, updated);
      ++outcome.rewritten;
    }
    VerdictFromFitJson(fit, path, row.verdict, row.reasons);
  }

  const fs::path limits_path = dir / kBatchLimitsFileName;
  if (rule.outlier_k > 0) {
    WriteFileAtomically(limits_path.string(), BatchLimitsJson(outcome));
  } else {
    std::error_code error;
    fs::remove(limits_path, error);
    if (error) throw FileError(limits_path.string(), "cannot remove: " + error.message());
  }
  WriteResultsTable((dir / kResultsFileName).string(), rows);
  return outcome;
}

std::string BatchLimitsJson(const BatchRuleOutcome& outcome) {
  json limits = json::array();
  for (size_t l = 0; l < outcome.limits.size(); ++l) {
    json limit = solver::ToJson(outcome.limits[l]);
    limit["worse"] = outcome.limits[l].worse == solver::Worse::kHigher ? "higher" : "lower";
    limit["beyond"] = outcome.beyond[l];
    limits.push_back(limit);
  }
  json skipped = json::array();
  for (const SkippedBatchStatistic& entry : outcome.skipped) {
    skipped.push_back({{"statistic", entry.statistic}, {"count", entry.count}, {"why", entry.why}});
  }
  const json out = {{"outlier_k", outcome.outlier_k},
                    {"outlier_min_batch", outcome.outlier_min_batch},
                    {"fits", outcome.fits},
                    {"failed", outcome.failed},
                    {"limits", limits},
                    {"skipped", skipped},
                    {"rejected", outcome.rejected},
                    {"rejected_only_by_batch_rule", outcome.rejected_alone}};
  return out.dump(2) + "\n";
}

std::string BatchRuleMarkdown(const BatchRuleOutcome& outcome) {
  std::string text = "\n## Batch rule (`--outlier_k`)\n\n";
  if (outcome.outlier_k == 0) return text + "Off (`--outlier_k=0`).\n";
  text += "k = " + Format(outcome.outlier_k) + " over " + std::to_string(outcome.fits) +
          " fits (failed images are not part of the batch); limits in `" + kBatchLimitsFileName +
          "`. " + std::to_string(outcome.rejected) + " fits rejected by it, " +
          std::to_string(outcome.rejected_alone) + " of them by it alone.\n";
  if (!outcome.limits.empty()) {
    text +=
        "\n| statistic | worse | fits | median | scaled MAD | limit | beyond |\n"
        "|---|---|---:|---:|---:|---:|---:|\n";
    for (size_t l = 0; l < outcome.limits.size(); ++l) {
      const solver::BatchLimit& limit = outcome.limits[l];
      text += "| " + limit.statistic + " | " +
              (limit.worse == solver::Worse::kHigher ? "higher" : "lower") + " | " +
              std::to_string(limit.count) + " | " + Format(limit.median) + " | " +
              Format(limit.scaled_mad) + " | " + Format(limit.limit) + " | " +
              std::to_string(outcome.beyond[l]) + " |\n";
    }
  }
  for (const SkippedBatchStatistic& entry : outcome.skipped) {
    text += "\nNo limit for " + entry.statistic + " (" + std::to_string(entry.count) +
            " finite values): " + entry.why + ".\n";
  }
  return text;
}

std::string BatchRuleDeferredMarkdown(double outlier_k) {
  std::string text = "\n## Batch rule (`--outlier_k`)\n\n";
  if (outlier_k == 0) return text + "Off (`--outlier_k=0`).\n";
  return text + "Not applied to a shard: `--merge` applies it (k = " + Format(outlier_k) +
         ") to the whole dataset, and the merged folder's results are the dataset's.\n";
}

}  // namespace morphfit::batch
