#include "morphfit/render/map_io.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/render/npy.h"

namespace morphfit::render {

namespace {

void RequireNormals(const Frame& frame, const std::string& path) {
  if (!frame.has_normals()) throw FileError(path, "the frame was rendered without normals");
}

// Viewer frame (x right, y up, z towards the camera) from camera space (x right, y down, z
// forward).
Eigen::Vector3f ToViewer(const Frame& frame, int i) {
  return {frame.normal[0][i], -frame.normal[1][i], -frame.normal[2][i]};
}

uint8_t ToByte(float unit) {
  return static_cast<uint8_t>(std::lround(std::clamp((unit + 1.0F) * 0.5F, 0.0F, 1.0F) * 255.0F));
}

}  // namespace

DepthRange CoveredDepthRange(const Frame& frame) {
  DepthRange range;
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  for (int i = 0; i < frame.num_pixels(); ++i) {
    if (!frame.Covered(i)) continue;
    lo = std::min(lo, frame.depth[i]);
    hi = std::max(hi, frame.depth[i]);
  }
  if (lo <= hi) range = {lo, hi};
  return range;
}

cv::Mat DepthImage16(const Frame& frame, const DepthRange& range) {
  cv::Mat image(frame.height, frame.width, CV_16UC1, cv::Scalar(0));
  const double span = static_cast<double>(range.z_far) - range.z_near;
  for (int y = 0; y < frame.height; ++y) {
    auto* row = image.ptr<uint16_t>(y);
    for (int x = 0; x < frame.width; ++x) {
      const int i = frame.Index(x, y);
      if (!frame.Covered(i)) continue;
      double level = 65535.0;
      if (span > 0.0) {
        const double t =
            std::clamp((range.z_far - static_cast<double>(frame.depth[i])) / span, 0.0, 1.0);
        level = 1.0 + 65534.0 * t;
      }
      row[x] = static_cast<uint16_t>(std::lround(level));
    }
  }
  return image;
}

cv::Mat NormalsImageBgr8(const Frame& frame) {
  cv::Mat image(frame.height, frame.width, CV_8UC3, cv::Scalar::all(0));
  if (!frame.has_normals()) throw Error("normals image: the frame was rendered without normals");
  for (int y = 0; y < frame.height; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < frame.width; ++x) {
      const int i = frame.Index(x, y);
      if (!frame.Covered(i)) continue;
      const Eigen::Vector3f n = ToViewer(frame, i);
      row[x] = cv::Vec3b(ToByte(n.z()), ToByte(n.y()), ToByte(n.x()));  // file channels r g b
    }
  }
  return image;
}

cv::Mat MaskImage8(const Frame& frame) {
  cv::Mat image(frame.height, frame.width, CV_8UC1, cv::Scalar(0));
  for (int y = 0; y < frame.height; ++y) {
    auto* row = image.ptr<uint8_t>(y);
    for (int x = 0; x < frame.width; ++x) row[x] = frame.Covered(x, y) ? 255 : 0;
  }
  return image;
}

std::vector<float> ViewerNormals(const Frame& frame) {
  if (!frame.has_normals()) throw Error("viewer normals: the frame was rendered without normals");
  std::vector<float> normals(static_cast<size_t>(frame.num_pixels()) * 3, 0.0F);
  for (int i = 0; i < frame.num_pixels(); ++i) {
    if (!frame.Covered(i)) continue;
    const Eigen::Vector3f n = ToViewer(frame, i);
    std::copy(n.data(), n.data() + 3, normals.begin() + 3 * static_cast<ptrdiff_t>(i));
  }
  return normals;
}

void WriteDepthNpy(const std::string& path, const Frame& frame) {
  // Background depth is already 0.
  WriteNpy(path, {static_cast<size_t>(frame.height), static_cast<size_t>(frame.width)},
           frame.depth.data());
}

void WriteDepthPng(const std::string& path, const Frame& frame, const DepthRange& range) {
  WriteImage(path, DepthImage16(frame, range));
}

void WriteNormalsNpy(const std::string& path, const Frame& frame) {
  RequireNormals(frame, path);
  const std::vector<float> normals = ViewerNormals(frame);
  WriteNpy(path, {static_cast<size_t>(frame.height), static_cast<size_t>(frame.width), 3},
           normals.data());
}

void WriteNormalsPng(const std::string& path, const Frame& frame) {
  RequireNormals(frame, path);
  WriteImage(path, NormalsImageBgr8(frame));
}

void WriteMaskPng(const std::string& path, const Frame& frame) {
  WriteImage(path, MaskImage8(frame));
}

void WriteImage(const std::string& path, const cv::Mat& image) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos) throw FileError(path, "no image file extension");
  std::vector<uchar> bytes;
  bool ok = false;
  try {
    ok = cv::imencode(path.substr(dot), image, bytes);
  } catch (const cv::Exception& e) {
    throw FileError(path, std::string("cannot encode image: ") + e.what());
  }
  if (!ok) throw FileError(path, "cannot encode image");
  WriteFileAtomically(path, std::string(bytes.begin(), bytes.end()));
}

void OverlayOptions::Check() const {
  if (!(opacity >= 0.0 && opacity <= 1.0)) {
    throw Error("overlay options: opacity must be in [0, 1], got " + std::to_string(opacity));
  }
  if (landmark_radius < 0) {
    throw Error("overlay options: landmark_radius must be >= 0, got " +
                std::to_string(landmark_radius));
  }
}

cv::Mat MakeOverlay(const cv::Mat& image, const Frame& frame, const cv::Mat& shaded,
                    const Eigen::Matrix<double, Eigen::Dynamic, 2>& points,
                    const OverlayOptions& options) {
  options.Check();
  if (image.rows != frame.height || image.cols != frame.width || image.depth() != CV_8U ||
      (image.channels() != 1 && image.channels() != 3)) {
    throw Error("overlay: the image must be 8-bit grey or BGR of the frame's size " +
                std::to_string(frame.width) + " x " + std::to_string(frame.height));
  }
  if (shaded.rows != frame.height || shaded.cols != frame.width || shaded.type() != CV_32FC3) {
    throw Error("overlay: the shaded image must be CV_32FC3 of the frame's size");
  }
  cv::Mat overlay;
  if (image.channels() == 1) {
    cv::cvtColor(image, overlay, cv::COLOR_GRAY2BGR);
  } else {
    overlay = image.clone();
  }
  const float alpha = static_cast<float>(options.opacity);
  for (int y = 0; y < frame.height; ++y) {
    auto* out = overlay.ptr<cv::Vec3b>(y);
    const auto* shade = shaded.ptr<cv::Vec3f>(y);
    for (int x = 0; x < frame.width; ++x) {
      if (!frame.Covered(x, y)) continue;
      for (int c = 0; c < 3; ++c) {
        const float fit = std::clamp(shade[x][c], 0.0F, 1.0F) * 255.0F;
        out[x][c] = cv::saturate_cast<uint8_t>((1.0F - alpha) * out[x][c] + alpha * fit);
      }
    }
  }
  if (options.landmark_radius > 0) {
    for (Eigen::Index k = 0; k < points.rows(); ++k) {
      if (!points.row(k).allFinite()) continue;
      // Sub-pixel centres: cv::circle takes fixed-point coordinates with `shift` fractional bits.
      constexpr int kShift = 4;
      const cv::Point centre(static_cast<int>(std::lround(points(k, 0) * (1 << kShift))),
                             static_cast<int>(std::lround(points(k, 1) * (1 << kShift))));
      cv::circle(overlay, centre, options.landmark_radius << kShift, options.landmark_color,
                 cv::FILLED, cv::LINE_AA, kShift);
    }
  }
  return overlay;
}

}  // namespace morphfit::render
