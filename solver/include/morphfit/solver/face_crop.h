#pragma once

#include <vector>

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include "morphfit/render/camera.h"

namespace morphfit::solver {

// One level of the face-crop pyramid. Pixel coordinates map between the full image and the
// level by an axis-aligned similarity that keeps pixel centres consistent with cv::resize:
//   p_level = scale * (p_full + 0.5 - origin) - 0.5.
struct CropLevel {
  cv::Mat image;  // CV_32FC3, RGB in [0, 1]
  double scale = 1.0;
  Eigen::Vector2d origin = Eigen::Vector2d::Zero();  // full-image corner of the crop (pixels)

  Eigen::Vector2d FromFull(const Eigen::Vector2d& p) const {
    return scale * (p + Eigen::Vector2d::Constant(0.5) - origin) - Eigen::Vector2d::Constant(0.5);
  }
  Eigen::Vector2d ToFull(const Eigen::Vector2d& p) const {
    return (p + Eigen::Vector2d::Constant(0.5)) / scale + origin - Eigen::Vector2d::Constant(0.5);
  }
  // The camera of the full image seen through this level: same pose, scaled intrinsics.
  render::Camera LevelCamera(const render::Camera& full) const;
};

// A face crop resampled so that the face spans about `face_size` pixels at level 0 (never
// upsampled), and `levels - 1` coarser levels, each half the previous. `face_box` is
// (x_min, y_min, x_max, y_max) in full-image pixels; the crop adds `margin` times its size on
// every side and is clipped to the image. `image` is 8-bit BGR (or grey) as OpenCV reads it.
std::vector<CropLevel> BuildFacePyramid(const cv::Mat& image, const Eigen::Vector4d& face_box,
                                        double face_size, int levels, double margin = 0.15);

}  // namespace morphfit::solver
