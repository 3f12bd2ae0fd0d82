#include "morphfit/batch/contact_sheet.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "shared_data.h"

namespace morphfit::batch {
namespace {

ResultRow Row(const std::string& image, const std::string& expression_class,
              const std::string& verdict) {
  ResultRow row;
  row.image = image;
  row.expression_class = expression_class;
  row.verdict = verdict;
  row.output = image;  // no such folder: empty panels
  return row;
}

TEST(ContactSheetTest, HasColumnsForTheSamplesThereAreNotForAllThatWereAskedFor) {
  const std::string dir = testing::MakeTempDir("contact_sheet");
  const std::vector<ResultRow> rows = {Row("a.jpg", "Happy", "kept"), Row("b.jpg", "Happy", "kept"),
                                       Row("c.jpg", "Sadness", "rejected")};
  ContactSheetOptions two;
  two.samples_per_verdict = 2;
  WriteContactSheet(dir + "/two.png", rows, "", dir, two);
  // A request far beyond the run (it allocated 427 GB and threw) draws the same sheet.
  ContactSheetOptions huge;
  huge.samples_per_verdict = 1000000;
  WriteContactSheet(dir + "/huge.png", rows, "", dir, huge);
  const cv::Mat a = cv::imread(dir + "/two.png"), b = cv::imread(dir + "/huge.png");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.size(), b.size());
  // Two classes, two kept and two rejected columns of four panels.
  EXPECT_GT(a.cols, 4 * 4 * two.panel_size);
  EXPECT_LT(a.cols, 5 * 4 * two.panel_size);
}

}  // namespace
}  // namespace morphfit::batch
