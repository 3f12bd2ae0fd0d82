#include "morphfit/render/visibility.h"

#include <algorithm>
#include <cmath>
#include <limits>
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
  constexpr float kBackground = std::numeric_limits<float>::infinity();
  auto depth_at = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) return kBackground;
    const int i = frame.Index(x, y);
    return frame.Covered(i) ? frame.depth[i] : kBackground;
  };
  for (Eigen::Index v = 0; v < camera_vertices.cols(); ++v) {
    const Eigen::Vector3d p = camera_vertices.col(v);
    if (!(p.z() > 0.0)) continue;
    const Eigen::Vector2d pixel = camera.Project(p);
    if (!(pixel.x() >= -0.5 && pixel.y() >= -0.5 && pixel.x() <= frame.width - 0.5 &&
          pixel.y() <= frame.height - 0.5)) {
      continue;
    }
    // The farthest surface among the four pixel centres around the projection: a vertex on the
    // surface lies within their depths even where the surface is steep (near a silhouette).
    const int x0 = static_cast<int>(std::floor(pixel.x()));
    const int y0 = static_cast<int>(std::floor(pixel.y()));
    const float farthest = std::max(
        {depth_at(x0, y0), depth_at(x0 + 1, y0), depth_at(x0, y0 + 1), depth_at(x0 + 1, y0 + 1)});
    visible[v] = p.z() <= farthest + options.depth_tolerance;
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
