#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include "morphfit/render/frame.h"

namespace morphfit::render {

// The output maps of docs/conventions.md ("Outputs of one fit"). Every writer writes atomically
// and throws morphfit::Error naming the file on failure.

// Nearest and farthest covered depth of a frame (mm), the range depth.png is scaled to.
// Both 0 for an empty frame.
struct DepthRange {
  float z_near = 0.0F;
  float z_far = 0.0F;
};
DepthRange CoveredDepthRange(const Frame& frame);

// depth.npy: float32 H x W, camera z in mm, 0 for background.
void WriteDepthNpy(const std::string& path, const Frame& frame);
// depth.png: 16-bit grey, 0 background, else round(1 + 65534 (z_far - z) / (z_far - z_near))
// (65535 everywhere covered when the range is a single depth). Pixels outside the range clamp.
void WriteDepthPng(const std::string& path, const Frame& frame, const DepthRange& range);
// normals.npy: float32 H x W x 3 unit normals in the viewer frame (x right, y up, z towards the
// camera: the camera-space normal with y and z negated), 0 for background. Needs frame normals.
void WriteNormalsNpy(const std::string& path, const Frame& frame);
// normals.png: 8-bit RGB round((n + 1) / 2 * 255) of the viewer-frame normals, background 0.
void WriteNormalsPng(const std::string& path, const Frame& frame);
// mask.png: 8-bit grey, 255 where covered, 0 elsewhere.
void WriteMaskPng(const std::string& path, const Frame& frame);

// The maps as images (for writers, viewers and tests).
cv::Mat DepthImage16(const Frame& frame, const DepthRange& range);  // CV_16UC1
cv::Mat NormalsImageBgr8(const Frame& frame);                       // CV_8UC3, BGR order
cv::Mat MaskImage8(const Frame& frame);                             // CV_8UC1
// Viewer-frame normals as H x W x 3 floats (row-major, x y z per pixel).
std::vector<float> ViewerNormals(const Frame& frame);

// Any image, encoded by OpenCV from the file extension (e.g. .png, .jpg), written atomically.
void WriteImage(const std::string& path, const cv::Mat& image);

struct OverlayOptions {
  double opacity = 0.6;                  // weight of the shaded fit over the image, in [0, 1]
  int landmark_radius = 2;               // pixels; 0 draws no landmarks
  cv::Scalar landmark_color{0, 255, 0};  // BGR
  void Check() const;
};
// overlay.png content: `image` (8-bit BGR or grey, the frame's size) with `shaded` (CV_32FC3 BGR in
// [0, 1], as ShadeFrame returns) blended over the covered pixels and `points` (pixel coordinates,
// one row per point; non-finite rows are skipped) drawn as filled circles. Returns 8-bit BGR.
cv::Mat MakeOverlay(const cv::Mat& image, const Frame& frame, const cv::Mat& shaded,
                    const Eigen::Matrix<double, Eigen::Dynamic, 2>& points,
                    const OverlayOptions& options = OverlayOptions());

}  // namespace morphfit::render
