#include "morphfit/batch/results_table.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "morphfit/batch/csv.h"
#include "morphfit/model/error.h"
#include "shared_data.h"

namespace morphfit::batch {
namespace {

using morphfit::testing::MakeTempDir;

ResultRow SampleRow(const std::string& image, const std::string& verdict) {
  ResultRow row;
  row.image = image;
  row.expression_class = "Happy";
  row.verdict = verdict;
  if (verdict == "rejected") row.reasons = {"landmark_nme", "max_abs_yaw"};
  row.statistics = {{"landmark_nme", 0.0123}, {"yaw_deg", -12.5}};
  row.seconds = 0.25;
  row.output = verdict == "failed" ? "" : "dir/x";
  if (verdict == "failed") row.error = "x.jpg: cannot read, \"really\"\nsecond line";
  return row;
}

TEST(CsvTest, QuotesOnlyWhenNeededAndSplitsBack) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  std::vector<std::string> fields;
  ASSERT_TRUE(SplitCsvLine("a,\"b,c\",\"d\"\"e\",,f\r", fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "b,c", "d\"e", "", "f"}));
  EXPECT_FALSE(SplitCsvLine("a,\"open", fields));
}

TEST(ResultsTableTest, RoundTripsEveryField) {
  const std::string path = MakeTempDir("results_roundtrip") + "/results.csv";
  // Linux file names may hold commas, quotes and line breaks.
  ResultRow odd_name = SampleRow("new\nline \"q\".jpg", "kept");
  odd_name.output = "new\nline \"q\"";
  const std::vector<ResultRow> rows = {SampleRow("a/1.jpg", "kept"),
                                       SampleRow("a,2.jpg", "rejected"),
                                       SampleRow("b/3.jpg", "failed"), odd_name};
  WriteResultsTable(path, rows);
  const std::vector<ResultRow> read = ReadResultsTable(path);
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[0], rows[0]);
  EXPECT_EQ(read[1], rows[1]);
  EXPECT_EQ(read[3], rows[3]);
  // The error is kept on one line.
  EXPECT_EQ(read[2].error, "x.jpg: cannot read, \"really\" second line");
  EXPECT_EQ(read[1].reasons, (std::vector<std::string>{"landmark_nme", "max_abs_yaw"}));
}

TEST(ResultsTableTest, AppenderAddsWholeLinesAndATornLastLineIsDropped) {
  const std::string path = MakeTempDir("results_torn") + "/results.csv";
  WriteResultsTable(path, {SampleRow("a.jpg", "kept")});
  {
    ResultsAppender appender(path);
    appender.Append(SampleRow("b.jpg", "rejected"));
  }
  // A kill in the middle of a write leaves a line without its end.
  const std::string torn = ResultLine(SampleRow("c.jpg", "kept"));
  std::ofstream(path, std::ios::app) << torn.substr(0, torn.size() / 2);
  int torn_lines = 0;
  const std::vector<ResultRow> rows = ReadResultsTable(path, &torn_lines);
  EXPECT_EQ(torn_lines, 1);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].image, "b.jpg");

  // Cut inside a quoted line break: the text so far ends with '\n', yet the record is torn.
  WriteResultsTable(path, {SampleRow("a.jpg", "kept")});
  const std::string quoted = ResultLine(SampleRow("two\nlines.jpg", "kept"));
  std::ofstream(path, std::ios::app) << quoted.substr(0, quoted.find('\n') + 1);
  const std::vector<ResultRow> kept = ReadResultsTable(path, &torn_lines);
  EXPECT_EQ(torn_lines, 1);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].image, "a.jpg");
}

TEST(ResultsTableTest, MalformedContentNamesTheLine) {
  const std::string path = MakeTempDir("results_bad") + "/results.csv";
  std::ofstream(path) << ResultsHeaderLine() << ResultLine(SampleRow("a.jpg", "kept"))
                      << "a.jpg,Happy,maybe\n";
  try {
    ReadResultsTable(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  std::ofstream(path) << "some,other,table\n";
  EXPECT_THROW(ReadResultsTable(path), Error);
}

}  // namespace
}  // namespace morphfit::batch
