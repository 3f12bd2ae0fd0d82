#include "morphfit/render/visibility.h"

#include <cmath>
#include <string>

#include "morphfit/model/error.h"

namespace morphfit::render {

void VisibilityOptions::Check() const {
  if (!(depth_tolerance >= 0.0) || !std::isfinite(depth_tolerance)) {
    throw Error("visibility options: depth_tolerance must be >= 0 mm, got " +
                std::to_string(depth_tolerance));
  }
}

std::vector<bool> VisibleVertices(const Eigen::Matrix3Xd& camera_vertices, const Camera& camera,
                                  const Frame& frame, const VisibilityOptions& options) {
  options.Check();
  if (frame.width != camera.width || frame.height != camera.height) {
    throw Error("visibility: frame is " + std::to_string(frame.width) + " x " +
                std::to_string(frame.height) + ", camera " + std::to_string(camera.width) + " x " +
                std::to_string(camera.height));
  }
  std::vector<bool> visible(camera_vertices.cols(), false);
  for (Eigen::Index v = 0; v < camera_vertices.cols(); ++v) {
    const Eigen::Vector3d p = camera_vertices.col(v);
    if (!(p.z() > 0.0)) continue;
    const Eigen::Vector2d pixel = camera.Project(p);
    const double x = std::round(pixel.x());
    const double y = std::round(pixel.y());
    if (!(x >= 0 && y >= 0 && x < frame.width && y < frame.height)) continue;
    const int i = frame.Index(static_cast<int>(x), static_cast<int>(y));
    visible[v] = !frame.Covered(i) || p.z() <= frame.depth[i] + options.depth_tolerance;
  }
  return visible;
}

void SampleOptions::Check() const {
  if (stride < 1) throw Error("sample options: stride must be >= 1, got " + std::to_string(stride));
  if (max_count < 0) {
    throw Error("sample options: max_count must be >= 0, got " + std::to_string(max_count));
  }
  if (!(min_facing >= -1.0 && min_facing <= 1.0)) {
    throw Error("sample options: min_facing must be a cosine in [-1, 1], got " +
                std::to_string(min_facing));
  }
}

std::vector<SurfaceSample> VisibleSamples(const Frame& frame, const SampleOptions& options) {
  options.Check();
  const bool check_facing = options.min_facing > -1.0;
  if (check_facing && !frame.has_normals()) {
    throw Error("visible samples: min_facing needs a frame rendered with normals");
  }
  std::vector<SurfaceSample> samples;
  for (int y = 0; y < frame.height; y += options.stride) {
    for (int x = 0; x < frame.width; x += options.stride) {
      const int i = frame.Index(x, y);
      if (!frame.Covered(i)) continue;
      if (check_facing &&
          -frame.Normal(i).cast<double>().dot(frame.RayDirection(x, y)) < options.min_facing) {
        continue;
      }
      samples.push_back({x, y, frame.triangle[i], frame.Barycentric(i)});
    }
  }
  if (options.max_count > 0 && static_cast<int>(samples.size()) > options.max_count) {
    // Keep evenly spaced samples: index floor(k * size / max_count) for k = 0..max_count-1.
    const size_t total = samples.size();
    for (int k = 0; k < options.max_count; ++k) {
      samples[k] = samples[static_cast<size_t>(k) * total / options.max_count];
    }
    samples.resize(options.max_count);
  }
  return samples;
}

}  // namespace morphfit::render
