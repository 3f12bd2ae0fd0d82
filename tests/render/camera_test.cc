#include "morphfit/render/camera.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>
#include <Eigen/LU>

namespace morphfit::render {
namespace {

constexpr double kDeg = M_PI / 180.0;

TEST(CameraTest, ForImagePutsThePrincipalPointAtTheImageCentre) {
  const Camera camera = Camera::ForImage(640, 480, 800.0);
  EXPECT_EQ(camera.principal_point, Eigen::Vector2d(319.5, 239.5));
  // A point on the optical axis projects to the centre; pixel centres are integers.
  EXPECT_TRUE(camera.Project({0, 0, 500}).isApprox(Eigen::Vector2d(319.5, 239.5)));
  EXPECT_TRUE(camera.Project({100, -50, 400}).isApprox(Eigen::Vector2d(519.5, 139.5)));
}

TEST(CameraTest, FieldOfViewRoundTrips) {
  EXPECT_NEAR(FocalFromFov(90 * kDeg, 512), 256.0, 1e-9);
  EXPECT_NEAR(FovFromFocal(256.0, 512), 90 * kDeg, 1e-12);
  for (double fov : {5.0, 30.0, 60.0, 120.0, 170.0}) {
    for (int width : {64, 640, 1999}) {
      EXPECT_NEAR(FovFromFocal(FocalFromFov(fov * kDeg, width), width), fov * kDeg, 1e-12);
    }
  }
  const Camera camera = Camera::ForImage(1000, 10, FocalFromFov(40 * kDeg, 1000));
  EXPECT_NEAR(camera.HorizontalFov(), 40 * kDeg, 1e-12);
  // The image's outer pixel edges (-0.5 and width - 0.5) are at +-fov/2.
  const double half = std::tan(20 * kDeg);
  EXPECT_NEAR(camera.Project({-half, 0, 1}).x(), -0.5, 1e-9);
  EXPECT_NEAR(camera.Project({half, 0, 1}).x(), 999.5, 1e-9);
}

TEST(CameraTest, RotationIsProperAndRoundTrips) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> angle(-170 * kDeg, 170 * kDeg);
  std::uniform_real_distribution<double> pitch(-85 * kDeg, 85 * kDeg);
  for (int i = 0; i < 200; ++i) {
    const Eigen::Vector3d ypr(angle(rng), pitch(rng), angle(rng));
    const Eigen::Matrix3d r = RotationFromYawPitchRoll(ypr[0], ypr[1], ypr[2]);
    EXPECT_TRUE((r * r.transpose()).isApprox(Eigen::Matrix3d::Identity(), 1e-12));
    EXPECT_NEAR(r.determinant(), 1.0, 1e-12);
    EXPECT_TRUE(YawPitchRollFromRotation(r).isApprox(ypr, 1e-9)) << ypr.transpose();
  }
}

// The meaning of each angle, seen in the image of a head 600 mm in front of the camera.
TEST(CameraTest, PoseAnglesMoveTheFaceAsDocumented) {
  Camera camera = Camera::ForImage(400, 400, 1000.0);
  camera.translation = Eigen::Vector3d(0, 0, 600);
  camera.rotation = RotationFromYawPitchRoll(0, 0, 0);
  const Eigen::Vector3d nose(0, 0, 100), top(0, 100, 0), left_of_subject(100, 0, 0);
  const Eigen::Vector2d centre = camera.principal_point;
  // Zero pose: the face looks into the camera, the top of the head is up, the subject's left is
  // on the viewer's right.
  EXPECT_TRUE(camera.ToCamera(nose).isApprox(Eigen::Vector3d(0, 0, 500)));
  EXPECT_LT(camera.ProjectModelPoint(top).y(), centre.y());
  EXPECT_GT(camera.ProjectModelPoint(left_of_subject).x(), centre.x());
  // Positive yaw: the nose turns to the viewer's right.
  camera.rotation = RotationFromYawPitchRoll(20 * kDeg, 0, 0);
  EXPECT_GT(camera.ProjectModelPoint(nose).x(), centre.x() + 10);
  // Positive pitch: the nose tilts down (image y grows downwards).
  camera.rotation = RotationFromYawPitchRoll(0, 20 * kDeg, 0);
  EXPECT_GT(camera.ProjectModelPoint(nose).y(), centre.y() + 10);
  // Positive roll: counter-clockwise as the viewer sees it, the top of the head goes left.
  camera.rotation = RotationFromYawPitchRoll(0, 0, 20 * kDeg);
  EXPECT_LT(camera.ProjectModelPoint(top).x(), centre.x() - 10);
}

TEST(CameraTest, WeakPerspectiveAgreesWithItsPerspectiveCameraAtTheReferenceDepth) {
  WeakPerspectiveCamera weak;
  weak.scale = 2.5;
  weak.rotation = RotationFromYawPitchRoll(0.3, -0.2, 0.1);
  weak.offset = Eigen::Vector2d(210, 170);
  const Camera camera = weak.ToPerspective(400, 300, 1200.0);
  EXPECT_NEAR(camera.translation.z(), 1200.0 / 2.5, 1e-9);
  // Points whose rotated z is 0 lie at the reference depth: both cameras agree exactly.
  for (const Eigen::Vector3d& camera_offset :
       {Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(30, -40, 0), Eigen::Vector3d(-70, 5, 0)}) {
    const Eigen::Vector3d model_point = weak.rotation.transpose() * camera_offset;
    EXPECT_TRUE(camera.ProjectModelPoint(model_point).isApprox(weak.Project(model_point), 1e-9));
  }
  // Off that depth they differ by the perspective term only (small for a shallow object).
  const Eigen::Vector3d shallow = weak.rotation.transpose() * Eigen::Vector3d(50, 50, 10);
  EXPECT_LT((camera.ProjectModelPoint(shallow) - weak.Project(shallow)).norm(), 5.0);
}

}  // namespace
}  // namespace morphfit::render
