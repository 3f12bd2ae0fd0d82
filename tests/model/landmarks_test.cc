#include "morphfit/model/landmarks.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "shared_data.h"

namespace morphfit {
namespace {

namespace fs = std::filesystem;

// 68 distinct points inside a 200 x 100 image.
Landmarks Grid() {
  Landmarks landmarks;
  for (int i = 0; i < 68; ++i) landmarks.row(i) << 10.0 + 2.5 * (i % 17), 20.0 + 7.25 * (i / 17);
  return landmarks;
}

void ExpectErrorContaining(const std::function<void()>& action,
                           const std::vector<std::string>& parts) {
  try {
    action();
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
    }
  }
}

class LandmarksTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("landmarks"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

std::string PtsText(const Landmarks& one_based, int count, const std::string& n_points = "68") {
  std::ostringstream text;
  text << "version: 1\nn_points:  " << n_points << "\n{\n";
  for (int i = 0; i < count; ++i)
    text << one_based(i % 68, 0) << " " << one_based(i % 68, 1) << "\n";
  text << "}\n";
  return text.str();
}

TEST_F(LandmarksTest, PtsIsOneBasedOnDiskAndZeroBasedInCode) {
  const Landmarks on_disk = Grid();
  const Landmarks read = ReadPts(Write("a.pts", PtsText(on_disk, 68)));
  EXPECT_EQ(read, (on_disk.array() - 1.0).matrix());
  const std::string written = dir_ + "/b.pts";
  WritePts(written, read);
  EXPECT_EQ(ReadPts(written), read);
  std::ifstream stream(written);
  std::string first_lines[4];
  for (auto& line : first_lines) std::getline(stream, line);
  EXPECT_EQ(first_lines[1], "n_points: 68");
  EXPECT_EQ(first_lines[3], "10 20");  // 1-based again
}

TEST_F(LandmarksTest, SharedSampleReadsAsSixtyEightPoints) {
  const Landmarks landmarks =
      ReadPts(testing::RequireSharedPath("samples/300w_afw_56054945_1.pts"));
  EXPECT_TRUE(landmarks.allFinite());
  EXPECT_GT(OuterEyeCornerDistance(landmarks), 10.0);
}

TEST_F(LandmarksTest, MalformedPtsNamesTheFileAndTheProblem) {
  const Landmarks grid = Grid();
  const std::string few = Write("few.pts", PtsText(grid, 5, "5"));
  ExpectErrorContaining([&] { ReadPts(few); }, {few, "68-point"});
  const std::string mismatch = Write("mismatch.pts", PtsText(grid, 68, "67"));
  ExpectErrorContaining([&] { ReadPts(mismatch); }, {mismatch, "n_points says 67"});
  std::string open_text = PtsText(grid, 68);
  open_text.resize(open_text.size() - 2);
  const std::string open = Write("open.pts", open_text);
  ExpectErrorContaining([&] { ReadPts(open); }, {open, "not closed"});
  const std::string word = Write("word.pts", "n_points: 68\n{\n1 x\n}\n");
  ExpectErrorContaining([&] { ReadPts(word); }, {word, "line 3", "'x' is not a number"});
  const std::string three = Write("three.pts", "{\n1 2 3\n}\n");
  ExpectErrorContaining([&] { ReadPts(three); }, {three, "line 2"});
  const std::string none = Write("none.pts", "hello\n");
  ExpectErrorContaining([&] { ReadPts(none); }, {none, "line 1"});
  const std::string missing = dir_ + "/missing.pts";
  ExpectErrorContaining([&] { ReadPts(missing); }, {missing, "cannot open"});
  ExpectErrorContaining([&] { ReadPts(dir_); }, {dir_, "is a folder, not a landmark file"});
  ExpectErrorContaining([&] { ReadLandmarksJson(dir_); }, {dir_, "is a folder"});
}

TEST_F(LandmarksTest, CsvFieldParsesSemicolonSeparatedPairs) {
  std::string field;
  const Landmarks grid = Grid();
  for (int i = 0; i < 68; ++i) {
    field += std::to_string(grid(i, 0)) + ";" + std::to_string(grid(i, 1)) + (i < 67 ? ";" : "");
  }
  EXPECT_TRUE(ParseLandmarkList(field, "row 3").isApprox(grid, 1e-9));
  ExpectErrorContaining([&] { ParseLandmarkList("1;2;3", "manifest.csv row 7"); },
                        {"manifest.csv row 7", "3 numbers"});
  ExpectErrorContaining([&] { ParseLandmarkList(field + ";zz", "row 9"); }, {"row 9", "'zz'"});
}

TEST_F(LandmarksTest, JsonAcceptsObjectOrBareArray) {
  const Landmarks grid = Grid();
  std::string pairs = "[";
  for (int i = 0; i < 68; ++i) {
    pairs += "[" + std::to_string(grid(i, 0)) + ", " + std::to_string(grid(i, 1)) + "]";
    pairs += i < 67 ? ", " : "]";
  }
  EXPECT_TRUE(ReadLandmarksJson(Write("o.json", "{\"landmarks\": " + pairs + "}")).isApprox(grid));
  EXPECT_TRUE(ReadLandmarksJson(Write("a.json", pairs)).isApprox(grid));
  const std::string bad = Write("bad.json", "{\"landmarks\": [[1, 2]");
  ExpectErrorContaining([&] { ReadLandmarksJson(bad); }, {bad, "malformed"});
  const std::string short_list = Write("short.json", "[[1, 2], [3, 4]]");
  ExpectErrorContaining([&] { ReadLandmarksJson(short_list); }, {short_list, "found 2"});
  const std::string triple =
      Write("triple.json", "[[1, 2, 3]" + pairs.substr(pairs.find("],") + 1));
  ExpectErrorContaining([&] { ReadLandmarksJson(triple); },
                        {triple, "landmark 1 is not an [x, y]"});
  const std::string key = Write("key.json", "{\"points\": []}");
  ExpectErrorContaining([&] { ReadLandmarksJson(key); }, {key});
}

TEST(ValidateLandmarks, AcceptsPointsWithinHalfAPixelOfTheBorder) {
  Landmarks landmarks = Grid();
  landmarks.row(0) << -0.5, -0.5;
  landmarks.row(1) << 199.5, 99.5;
  EXPECT_NO_THROW(ValidateLandmarks(landmarks, 200, 100, "img.jpg"));
}

TEST(ValidateLandmarks, RejectsNonFiniteOutsideAndDuplicatedPoints) {
  Landmarks nan = Grid();
  nan(5, 1) = std::numeric_limits<double>::quiet_NaN();
  ExpectErrorContaining([&] { ValidateLandmarks(nan, 200, 100, "img.jpg"); },
                        {"img.jpg", "landmark 6", "not finite"});
  Landmarks outside = Grid();
  outside(67, 0) = 200.0;
  ExpectErrorContaining([&] { ValidateLandmarks(outside, 200, 100, "img.jpg"); },
                        {"img.jpg", "landmark 68", "outside"});
  Landmarks above = Grid();
  above(0, 1) = -0.6;
  EXPECT_THROW(ValidateLandmarks(above, 200, 100, "img.jpg"), Error);
  Landmarks duplicate = Grid();
  duplicate.row(40) = duplicate.row(3);
  ExpectErrorContaining([&] { ValidateLandmarks(duplicate, 200, 100, "img.jpg"); },
                        {"img.jpg", "landmarks 4 and 41"});
}

TEST(OuterEyeCornerDistance, IsTheDistanceBetweenIbug37And46) {
  Landmarks landmarks = Landmarks::Zero();
  landmarks.row(36) << 1, 1;
  landmarks.row(45) << 4, 5;
  EXPECT_DOUBLE_EQ(OuterEyeCornerDistance(landmarks), 5.0);
}

}  // namespace
}  // namespace morphfit
