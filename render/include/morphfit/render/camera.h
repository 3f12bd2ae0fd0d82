#pragma once

#include <Eigen/Core>

namespace morphfit::render {

// Pinhole camera in the OpenCV convention (x right, y down, z forward; pixel centres at integer
// coordinates) with a pose that maps model space (mm; x subject's left, y up, z towards the
// viewer) to camera space: X_cam = rotation * X_model + translation.
struct Camera {
  double focal = 1000.0;  // fx = fy, pixels
  Eigen::Vector2d principal_point = Eigen::Vector2d::Zero();
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();  // mm
  int width = 0;                                          // image size the camera belongs to
  int height = 0;

  // A camera for a width x height image with the principal point at the image centre.
  static Camera ForImage(int width, int height, double focal);

  Eigen::Vector3d ToCamera(const Eigen::Vector3d& model_point) const {
    return rotation * model_point + translation;
  }
  // Perspective projection of a camera-space point (z > 0) to pixel coordinates.
  Eigen::Vector2d Project(const Eigen::Vector3d& camera_point) const {
    return focal * camera_point.head<2>() / camera_point.z() + principal_point;
  }
  Eigen::Vector2d ProjectModelPoint(const Eigen::Vector3d& model_point) const {
    return Project(ToCamera(model_point));
  }
  // Horizontal field of view in radians, from the focal length and the width.
  double HorizontalFov() const;
};

// Focal length in pixels that gives a horizontal field of view `fov` (radians) over `width`.
double FocalFromFov(double fov, int width);
double FovFromFocal(double focal, int width);

// Rotation model -> camera for a head pose. yaw turns the nose towards the viewer's right
// (the subject's left), pitch tilts the nose down, roll turns the face counter-clockwise as the
// viewer sees it (the top of the head moves to the viewer's left); all in radians. Zero pose is a
// frontal view: the face looks into the camera.
//   R = F * Ry(yaw) * Rx(pitch) * Rz(roll),  F = diag(1, -1, -1) (model y up -> camera y down)
Eigen::Matrix3d RotationFromYawPitchRoll(double yaw, double pitch, double roll);
// Inverse of RotationFromYawPitchRoll (pitch within +-90 degrees).
Eigen::Vector3d YawPitchRollFromRotation(const Eigen::Matrix3d& rotation);

// Weak-perspective (scaled orthographic) camera for initialisation: x_image = scale * (R X)_xy +
// offset, with R the same model -> camera rotation.
struct WeakPerspectiveCamera {
  double scale = 1.0;
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
  Eigen::Vector2d offset = Eigen::Vector2d::Zero();

  Eigen::Vector2d Project(const Eigen::Vector3d& model_point) const {
    return scale * (rotation * model_point).head<2>() + offset;
  }
  // The perspective camera that agrees with this one at depth focal / scale.
  Camera ToPerspective(int width, int height, double focal) const;
};

}  // namespace morphfit::render
