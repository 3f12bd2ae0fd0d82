#include "morphfit/eval/report.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "morphfit/solver/batch_outliers.h"

namespace morphfit::eval {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::string Fixed(double value, int decimals = 3) {
  if (std::isnan(value)) return "-";
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

std::string Number(double value) {
  if (std::isnan(value)) return "";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

}  // namespace

Decisions Decide(const std::vector<EvaluatedCase>& cases, const solver::QualityRule& rule) {
  // The evaluated set is the batch of the batch-relative rule, as one morphfit-batch run is: its
  // limits come from every case with statistics (--outlier_k 0 gives none).
  std::vector<solver::FitStatistics> batch;
  for (const EvaluatedCase& evaluated : cases) {
    if (evaluated.statistics) batch.push_back(*evaluated.statistics);
  }
  const std::vector<solver::BatchLimit> limits = solver::ComputeBatchLimits(batch, rule);
  Decisions decisions;
  for (const EvaluatedCase& evaluated : cases) {
    solver::Quality quality;
    if (evaluated.statistics) {
      quality = solver::Assess(*evaluated.statistics, rule);
      solver::AddBatchOutlierReasons(*evaluated.statistics, limits, quality);
    } else {
      quality.reasons.push_back({"fit_failed", evaluated.fit_error, 1, 1, "=="});
    }
    decisions.rejected.push_back(quality.verdict() == solver::Verdict::kRejected);
    decisions.bad.push_back(evaluated.bad);
    decisions.qualities.push_back(std::move(quality));
  }
  decisions.counts = CountDecisions(decisions.rejected, decisions.bad);
  return decisions;
}

std::vector<StatisticSample> CollectStatistics(const std::vector<EvaluatedCase>& cases,
                                               const std::vector<bool>& bad,
                                               const solver::QualityRule& rule) {
  std::vector<StatisticSample> samples;
  for (const solver::QualityThreshold& threshold : solver::QualityThresholds()) {
    const solver::QualityStatistic& statistic = solver::FindQualityStatistic(threshold.statistic);
    StatisticSample sample;
    sample.name = statistic.name;
    sample.threshold = rule.*threshold.field;
    std::vector<double> scores;
    for (const EvaluatedCase& evaluated : cases) {
      std::optional<double> value;
      if (evaluated.statistics) value = statistic.value(*evaluated.statistics);
      const double v = value ? *value : kNan;
      sample.values.push_back(v);
      // Missing stays missing; a non-finite value is as bad as it gets.
      double score = std::isnan(v) && value ? std::numeric_limits<double>::max() : v;
      if (statistic.worse == solver::Worse::kLower && !std::isnan(score)) score = -score;
      scores.push_back(score);
    }
    sample.auc = RocAuc(scores, bad);
    samples.push_back(std::move(sample));
  }
  return samples;
}

std::string FormatReport(const std::vector<EvaluatedCase>& cases, const Decisions& decisions,
                         const std::vector<StatisticSample>& statistics,
                         const std::string& rule_source) {
  const DecisionCounts& c = decisions.counts;
  std::ostringstream out;
  int failures = 0;
  for (const EvaluatedCase& evaluated : cases) failures += !evaluated.fit_error.empty();
  out << "cases " << cases.size() << ": bad " << c.bad() << ", good " << c.good()
      << ", fit failures " << failures << "\n";
  out << "rule: " << rule_source << "\n\n";
  out << "                 rejected      kept\n";
  out << "  bad fits     " << Pad(std::to_string(c.true_rejections) + " (TP)", 14)
      << std::to_string(c.false_keeps) + " (FN)\n";
  out << "  good fits    " << Pad(std::to_string(c.false_rejections) + " (FP)", 14)
      << std::to_string(c.true_keeps) + " (TN)\n\n";
  out << "  precision of rejection " << Fixed(c.Precision()) << "\n";
  out << "  recall (bad fits rejected) " << Fixed(c.Recall()) << "\n";
  out << "  false rejection rate (good fits rejected) " << Fixed(c.FalseRejectionRate()) << "\n\n";

  struct KindCounts {
    int cases = 0, bad = 0, rejected = 0, bad_rejected = 0, good_rejected = 0;
  };
  std::map<std::string, KindCounts> kinds;
  for (size_t i = 0; i < cases.size(); ++i) {
    KindCounts& k = kinds[cases[i].kind];
    ++k.cases;
    k.bad += decisions.bad[i];
    k.rejected += decisions.rejected[i];
    k.bad_rejected += decisions.bad[i] && decisions.rejected[i];
    k.good_rejected += !decisions.bad[i] && decisions.rejected[i];
  }
  out << "  " << Pad("kind", 22) << Pad("cases", 7) << Pad("bad", 6) << Pad("rejected", 10)
      << Pad("bad rej.", 10) << "good rej.\n";
  for (const auto& [kind, k] : kinds) {
    out << "  " << Pad(kind, 22) << Pad(std::to_string(k.cases), 7) << Pad(std::to_string(k.bad), 6)
        << Pad(std::to_string(k.rejected), 10) << Pad(std::to_string(k.bad_rejected), 10)
        << k.good_rejected << "\n";
  }
  out << "\n  " << Pad("statistic", 26) << Pad("ROC AUC", 9) << "threshold\n";
  for (const StatisticSample& s : statistics) {
    out << "  " << Pad(s.name, 26) << Pad(Fixed(s.auc), 9)
        << (std::isfinite(s.threshold) ? Number(s.threshold) : "off") << "\n";
  }
  std::map<std::string, std::pair<int, int>> reasons;  // name -> (on bad, on good)
  for (size_t i = 0; i < cases.size(); ++i) {
    for (const solver::QualityReason& reason : decisions.qualities[i].reasons) {
      auto& count = reasons[reason.name];
      (decisions.bad[i] ? count.first : count.second)++;
    }
  }
  out << "\n  " << Pad("reason fired", 28) << Pad("on bad", 8) << "on good\n";
  for (const auto& [name, count] : reasons) {
    out << "  " << Pad(name, 28) << Pad(std::to_string(count.first), 8) << count.second << "\n";
  }
  return out.str();
}

std::string CasesCsv(const std::vector<EvaluatedCase>& cases, const Decisions& decisions) {
  std::ostringstream out;
  out << "name,kind,bad,verdict,reasons,fit_error,coverage,depth_rmse_mm,depth_offset_mm,"
         "normal_error_deg,truth_landmark_nme,annotation_nme,"
      << "detected_faces,face_index,detection_nme";
  for (const solver::QualityStatistic& statistic : solver::QualityStatistics()) {
    out << "," << statistic.name;
  }
  out << "\n";
  for (size_t i = 0; i < cases.size(); ++i) {
    const EvaluatedCase& e = cases[i];
    std::string reasons;
    for (const solver::QualityReason& reason : decisions.qualities[i].reasons) {
      reasons += (reasons.empty() ? "" : ";") + reason.name;
    }
    std::string error = e.fit_error;
    for (char& ch : error) {
      if (ch == ',' || ch == '"' || ch == '\n') ch = ' ';
    }
    out << e.name << "," << e.kind << "," << (e.bad ? 1 : 0) << ","
        << solver::VerdictName(decisions.qualities[i].verdict()) << "," << reasons << "," << error
        << "," << Number(e.truth.coverage) << "," << Number(e.truth.depth_rmse_mm) << ","
        << Number(e.truth.depth_offset_mm) << "," << Number(e.truth.normal_error_deg) << ","
        << Number(e.truth.landmark_nme) << "," << Number(e.annotation_nme) << ",";
    if (e.detection) {
      out << e.detection->faces << ","
          << (e.detection->index >= 0 ? std::to_string(e.detection->index) : "") << ","
          << Number(e.detection->nme);
    } else {
      out << ",,";
    }
    for (const solver::QualityStatistic& statistic : solver::QualityStatistics()) {
      std::optional<double> value;
      if (e.statistics) value = statistic.value(*e.statistics);
      out << "," << (value ? Number(*value) : "");
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace morphfit::eval
