#include "morphfit/render/camera.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Geometry>

namespace morphfit::render {

Camera Camera::ForImage(int width, int height, double focal) {
  Camera camera;
  camera.width = width;
  camera.height = height;
  camera.focal = focal;
  camera.principal_point = Eigen::Vector2d((width - 1) / 2.0, (height - 1) / 2.0);
  return camera;
}

double Camera::HorizontalFov() const { return FovFromFocal(focal, width); }

double FocalFromFov(double fov, int width) { return 0.5 * width / std::tan(0.5 * fov); }
double FovFromFocal(double focal, int width) { return 2.0 * std::atan(0.5 * width / focal); }

namespace {
const Eigen::Matrix3d kModelToCameraFlip = Eigen::Vector3d(1, -1, -1).asDiagonal();
}

Eigen::Matrix3d RotationFromYawPitchRoll(double yaw, double pitch, double roll) {
  const Eigen::Matrix3d pose = (Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitY()) *
                                Eigen::AngleAxisd(pitch, Eigen::Vector3d::UnitX()) *
                                Eigen::AngleAxisd(roll, Eigen::Vector3d::UnitZ()))
                                   .toRotationMatrix();
  return kModelToCameraFlip * pose;
}

Eigen::Vector3d YawPitchRollFromRotation(const Eigen::Matrix3d& rotation) {
  // pose = Ry(a) Rx(b) Rz(c):  pose(1,2) = -sin b, pose(0,2) = sin a cos b, pose(2,2) = cos a cos
  // b, pose(1,0) = cos b sin c, pose(1,1) = cos b cos c.
  const Eigen::Matrix3d pose = kModelToCameraFlip * rotation;
  const double pitch = std::asin(std::clamp(-pose(1, 2), -1.0, 1.0));
  const double yaw = std::atan2(pose(0, 2), pose(2, 2));
  const double roll = std::atan2(pose(1, 0), pose(1, 1));
  return Eigen::Vector3d(yaw, pitch, roll);
}

Camera WeakPerspectiveCamera::ToPerspective(int width, int height, double focal) const {
  Camera camera = Camera::ForImage(width, height, focal);
  camera.rotation = rotation;
  const double depth = focal / scale;
  camera.translation << (offset - camera.principal_point) * depth / focal, depth;
  return camera;
}

}  // namespace morphfit::render
