#include "morphfit/batch/summary.h"

#include <gtest/gtest.h>

namespace morphfit::batch {
namespace {

ResultRow Row(const std::string& image, const std::string& expression_class,
              const std::string& verdict, double seconds, std::vector<std::string> reasons = {}) {
  ResultRow row;
  row.image = image;
  row.expression_class = expression_class;
  row.verdict = verdict;
  row.seconds = seconds;
  row.reasons = std::move(reasons);
  if (verdict == "failed") row.error = "broken";
  return row;
}

TEST(SummaryTest, PerClassTableReasonsAndPercentiles) {
  std::vector<ResultRow> rows;
  for (int i = 0; i < 10; ++i) {
    rows.push_back(Row("h" + std::to_string(i), "Happy", i < 7 ? "kept" : "rejected", i + 1.0,
                       i < 7 ? std::vector<std::string>{}
                             : (i == 9 ? std::vector<std::string>{"max_abs_yaw", "landmark_nme"}
                                       : std::vector<std::string>{"max_abs_yaw"})));
  }
  rows.push_back(Row("s0", "Sadness", "failed", 100.0));
  rows.push_back(Row("u0", "Unlabelled", "kept", 0.5));
  const BatchSummary summary = Summarize(rows);
  ASSERT_EQ(summary.classes.size(), 9u);
  EXPECT_EQ(summary.classes.back(), "Unlabelled");
  EXPECT_EQ(summary.per_class.at("Happy").kept, 7);
  EXPECT_EQ(summary.per_class.at("Happy").rejected, 3);
  EXPECT_EQ(summary.per_class.at("Sadness").failed, 1);
  EXPECT_EQ(summary.total.input, 12);
  ASSERT_EQ(summary.reasons.size(), 2u);
  EXPECT_EQ(summary.reasons[0], std::make_pair(std::string("max_abs_yaw"), 3));
  EXPECT_EQ(summary.reasons[1], std::make_pair(std::string("landmark_nme"), 1));
  // Times of the 11 fits (failures excluded): 0.5, 1, 2, ..., 10. Nearest rank.
  EXPECT_EQ(summary.timed, 11);
  EXPECT_DOUBLE_EQ(summary.time_p50, 5.0);  // rank 6
  EXPECT_DOUBLE_EQ(summary.time_p90, 9.0);  // rank 10
  EXPECT_DOUBLE_EQ(summary.time_max, 10.0);
  EXPECT_DOUBLE_EQ(summary.time_mean, 55.5 / 11);

  const std::string markdown = SummaryMarkdown(summary, "test");
  EXPECT_NE(markdown.find("| | Anger | Contempt | Disgust | Fear | Happy | Neutral | Sadness | "
                          "Surprise | Unlabelled | Total |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| input | 0 | 0 | 0 | 0 | 10 | 0 | 1 | 0 | 1 | 12 |"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| kept | 0 | 0 | 0 | 0 | 7 | 0 | 0 | 0 | 1 | 8 |"), std::string::npos);
  EXPECT_NE(markdown.find("| rejected | 0 | 0 | 0 | 0 | 3 | 0 | 0 | 0 | 0 | 3 |"),
            std::string::npos);
  EXPECT_NE(markdown.find("| failed | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 1 |"), std::string::npos);
  EXPECT_NE(markdown.find("| max_abs_yaw | 3 |"), std::string::npos);
  EXPECT_NE(markdown.find("- s0: broken"), std::string::npos);
}

}  // namespace
}  // namespace morphfit::batch
