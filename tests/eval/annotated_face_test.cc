#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "morphfit/eval/annotated_face.h"
#include "morphfit/model/model_io.h"
#include "morphfit/solver/landmark_statistics.h"
#include "morphfit/synth/truth_comparison.h"
#include "shared_data.h"

namespace morphfit::eval {
namespace {

// 68 points spread over the box [x0, x0 + size] x [y0, y0 + size], eye corners 36 and 45 apart.
Landmarks SquareFace(double x0, double y0, double size) {
  Landmarks landmarks;
  for (int i = 0; i < 68; ++i) {
    landmarks.row(i) << x0 + size * (i % 9) / 8.0, y0 + size * (i / 9) / 7.0;
  }
  return landmarks;
}

detect::DetectedFace Face(int x, int y, int size) {
  detect::DetectedFace face;
  face.box = cv::Rect(x, y, size, size);
  face.landmarks = SquareFace(x, y, size);
  return face;
}

TEST(MatchAnnotatedFace, PicksTheBoxOverlappingTheAnnotationMostNotTheLargest) {
  const Landmarks annotation = SquareFace(300, 100, 80);
  // The largest face is elsewhere; a box that barely touches the annotation loses to one on it.
  const std::vector<detect::DetectedFace> faces = {Face(0, 0, 200), Face(370, 170, 100),
                                                   Face(305, 95, 85)};
  ASSERT_TRUE(MatchAnnotatedFace(faces, annotation).has_value());
  EXPECT_EQ(*MatchAnnotatedFace(faces, annotation), 2);
}

TEST(MatchAnnotatedFace, NoneWhenNoBoxOverlapsOrNothingWasDetected) {
  const Landmarks annotation = SquareFace(300, 100, 80);
  EXPECT_FALSE(MatchAnnotatedFace({Face(0, 0, 200), Face(390, 190, 50)}, annotation).has_value());
  EXPECT_FALSE(MatchAnnotatedFace({}, annotation).has_value());
}

class EvaluateDetectedFaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = new model::MorphableModel(
        model::LoadModelDirectory(testing::RequireSharedPath("models/sfm")));
  }
  static void TearDownTestSuite() { delete model_; }
  static model::MorphableModel* model_;
};
model::MorphableModel* EvaluateDetectedFaceTest::model_ = nullptr;

TEST_F(EvaluateDetectedFaceTest, NoFaceIsARecordedBadFailureNotAnException) {
  const cv::Mat plain(240, 320, CV_8UC3, cv::Scalar(120, 130, 140));
  const Landmarks annotation = SquareFace(100, 60, 100);
  const EvaluatedCase evaluated =
      EvaluateDetectedFace(*model_, plain, {}, annotation, "plain.png", {}, {});
  EXPECT_EQ(evaluated.name, "plain.png");
  EXPECT_EQ(evaluated.fit_error, "no face detected");
  EXPECT_TRUE(evaluated.bad);
  EXPECT_FALSE(evaluated.statistics.has_value());
  ASSERT_TRUE(evaluated.detection.has_value());
  EXPECT_EQ(evaluated.detection->faces, 0);
  EXPECT_EQ(evaluated.detection->index, -1);
  EXPECT_TRUE(std::isnan(evaluated.detection->nme));

  const EvaluatedCase elsewhere =
      EvaluateDetectedFace(*model_, plain, {Face(250, 150, 60)}, annotation, "plain.png", {}, {});
  EXPECT_TRUE(elsewhere.bad);
  EXPECT_EQ(elsewhere.fit_error.rfind("no face detected", 0), 0u) << elsewhere.fit_error;
  EXPECT_EQ(elsewhere.detection->faces, 1);
  EXPECT_EQ(elsewhere.detection->index, -1);
}

TEST_F(EvaluateDetectedFaceTest, FitsTheMatchedFaceAndMeasuresItsDetectionError) {
  const std::string image_path = testing::RequireSharedPath("samples/eos_image_0010.png");
  const cv::Mat image = cv::imread(image_path, cv::IMREAD_COLOR);
  ASSERT_FALSE(image.empty());
  const Landmarks annotation = ReadPts(testing::RequireSharedPath("samples/eos_image_0010.pts"));
  // "Detected" landmarks: the annotation shifted 3 px right, so that their RMS error over any
  // subset of points is 3 px / the annotated eye-corner distance.
  detect::DetectedFace shifted;
  shifted.landmarks = annotation;
  shifted.landmarks.col(0).array() += 3.0;
  const Eigen::Vector2d low = annotation.colwise().minCoeff();
  const Eigen::Vector2d high = annotation.colwise().maxCoeff();
  shifted.box = cv::Rect(cv::Point(low.x(), low.y()), cv::Point(high.x(), high.y()));
  const std::vector<detect::DetectedFace> faces = {Face(0, 0, 20), shifted};

  const EvaluatedCase evaluated =
      EvaluateDetectedFace(*model_, image, faces, annotation, "eos", {}, {});
  ASSERT_TRUE(evaluated.fit_error.empty()) << evaluated.fit_error;
  ASSERT_TRUE(evaluated.detection.has_value());
  EXPECT_EQ(evaluated.detection->faces, 2);
  EXPECT_EQ(evaluated.detection->index, 1);
  EXPECT_NEAR(evaluated.detection->nme, 3.0 / OuterEyeCornerDistance(annotation), 1e-12);
  // The fit followed the shifted points, not the annotation: fitting the annotation itself gives
  // another error.
  const EvaluatedCase from_annotation =
      EvaluateAnnotatedImage(*model_, image, annotation, annotation, "eos", {}, {});
  ASSERT_TRUE(from_annotation.fit_error.empty());
  EXPECT_GT(std::abs(evaluated.annotation_nme - from_annotation.annotation_nme), 1e-4);
  EXPECT_FALSE(from_annotation.detection.has_value());
}

}  // namespace
}  // namespace morphfit::eval
