#pragma once

#include <vector>

#include <Eigen/Core>

#include "morphfit/render/camera.h"
#include "morphfit/render/frame.h"

namespace morphfit::render {

struct VisibilityOptions {
  // A vertex is visible when it is no farther than this (mm) behind the farthest surface the
  // frame shows at the four pixel centres around its projection. It must stay below the depth gap
  // between an occluder and what it hides (e.g. nose over cheek, some 10 mm or more).
  double depth_tolerance = 1.0;
  void Check() const;
};

// Per-vertex visibility of a camera-space mesh in `frame` (rendered from the same mesh and camera).
// A vertex is visible when it is in front of the camera, projects into the image, and is not
// hidden by the frame's surface: at least one of the four pixel centres around its projection is
// background or shows a surface no nearer than the vertex minus the tolerance. Taking the
// farthest of the four makes vertices on steep surfaces near a silhouette visible; vertices
// within a pixel of an occluder's outline count as visible.
std::vector<bool> VisibleVertices(const Eigen::Matrix3Xd& camera_vertices, const Camera& camera,
                                  const Frame& frame,
                                  const VisibilityOptions& options = VisibilityOptions());

// A visible point of the surface: the covered pixel centre (x, y), the triangle seen there and the
// barycentrics of the pixel's ray on it.
struct SurfaceSample {
  int x = 0;
  int y = 0;
  int triangle = -1;
  Eigen::Vector3f barycentric = Eigen::Vector3f::Zero();
};

struct SampleOptions {
  // Take every stride-th pixel in x and y (a regular grid anchored at (0, 0)).
  int stride = 1;
  // Skip pixels whose normal faces the camera less than this (cosine between the normal and the
  // direction from the surface to the camera); grazing pixels at the silhouette carry little
  // photometric information. Needs normals in the frame when > -1.
  double min_facing = -1.0;
  // When > 0, keep at most this many samples, evenly spread over the candidates (deterministic).
  int max_count = 0;
  void Check() const;
};

// Visible surface samples of a frame in row-major pixel order, for the photometric cost.
std::vector<SurfaceSample> VisibleSamples(const Frame& frame,
                                          const SampleOptions& options = SampleOptions());

}  // namespace morphfit::render
