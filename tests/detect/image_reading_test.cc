#include "morphfit/detect/image_reading.h"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "morphfit/model/error.h"
#include "shared_data.h"

namespace morphfit::detect {
namespace {

// A 64 x 48 colour gradient as JPEG bytes, baseline or progressive.
std::string JpegBytes(bool progressive) {
  cv::Mat image(48, 64, CV_8UC3);
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(4 * x, 5 * y, 128);
  std::vector<uchar> bytes;
  cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_PROGRESSIVE, progressive ? 1 : 0});
  return std::string(bytes.begin(), bytes.end());
}

std::string WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(ImageReading, ATruncatedJpegIsAnErrorNamingTheFile) {
  const std::string dir = testing::MakeTempDir("image_reading");
  for (const bool progressive : {false, true}) {
    const std::string whole = JpegBytes(progressive);
    EXPECT_FALSE(IsTruncatedJpeg(whole));
    // Trailing bytes after the end-of-image marker (some cameras append data) are not truncation.
    EXPECT_FALSE(IsTruncatedJpeg(whole + std::string(100, '\x55')));
    const std::string path = WriteFile(dir + "/whole.jpg", whole);
    EXPECT_EQ(ReadColorImage(path).size(), cv::Size(64, 48));

    const std::string cut = whole.substr(0, whole.size() * 2 / 3);
    EXPECT_TRUE(IsTruncatedJpeg(cut)) << "progressive " << progressive;
    // OpenCV decodes the cut file without an error: the check is what catches it.
    const std::string cut_path = WriteFile(dir + "/cut.jpg", cut);
    ASSERT_FALSE(cv::imread(cut_path, cv::IMREAD_COLOR).empty());
    try {
      ReadColorImage(cut_path);
      FAIL() << "a truncated JPEG was read";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(cut_path + ": truncated JPEG"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_FALSE(IsTruncatedJpeg("\x89PNG\r\n\x1a\n"));  // not a JPEG: not this check's business
}

}  // namespace
}  // namespace morphfit::detect
