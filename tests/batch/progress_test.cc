#include "morphfit/batch/progress.h"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

namespace morphfit::batch {
namespace {

std::string Contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[256];
  while (std::fgets(buffer, sizeof(buffer), file)) text += buffer;
  return text;
}

TEST(ProgressTest, PlainLinesCountVerdictsAndResumedImages) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  ProgressOptions options;
  options.stream = file;
  options.plain_interval_seconds = 0;  // a line per image
  ProgressReporter progress(options);
  progress.Start(5, 1, 1, 0);
  progress.Record("kept");
  progress.Record("failed");
  progress.Finish();
  const std::string text = Contents(file);
  EXPECT_NE(text.find("resuming: 2 of 5 images already done"), std::string::npos) << text;
  EXPECT_NE(text.find("progress: 3/5 kept 2 rejected 1 failed 0 | "), std::string::npos) << text;
  EXPECT_NE(text.find("progress: 4/5 kept 2 rejected 1 failed 1 | "), std::string::npos) << text;
  EXPECT_NE(text.find("ETA "), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  std::fclose(file);
}

TEST(ProgressTest, TerminalBarRedrawsInPlaceAndQuietPrintsNothing) {
  std::FILE* file = std::tmpfile();
  ProgressOptions options;
  options.stream = file;
  options.terminal = true;
  options.bar_interval_seconds = 0;
  ProgressReporter progress(options);
  progress.Start(2, 0, 0, 0);
  progress.Record("kept");
  progress.Record("rejected");
  progress.Finish();
  const std::string text = Contents(file);
  EXPECT_NE(text.find("\r[###############...............] 1/2 kept 1"), std::string::npos) << text;
  EXPECT_NE(text.find("2/2 kept 1 rejected 1 failed 0"), std::string::npos);
  EXPECT_NE(text.find("done in"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  std::fclose(file);

  std::FILE* quiet_file = std::tmpfile();
  options.stream = quiet_file;
  options.quiet = true;
  ProgressReporter quiet(options);
  quiet.Start(2, 1, 0, 0);
  quiet.Record("kept");
  quiet.Finish();
  EXPECT_EQ(Contents(quiet_file), "");
  std::fclose(quiet_file);
}

}  // namespace
}  // namespace morphfit::batch
