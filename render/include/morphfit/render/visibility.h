#pragma once

#include <vector>

#include <Eigen/Core>

#include "morphfit/render/camera.h"
#include "morphfit/render/frame.h"

namespace morphfit::render {

struct VisibilityOptions {
  // A vertex is visible when it is no farther than this behind the depth the frame holds at the
  // pixel it projects to (mm). It absorbs the depth change across half a pixel on a sloped surface;
  // it must stay below the thickness of the nearest occluder (e.g. the nose over a cheek).
  double depth_tolerance = 1.0;
  void Check() const;
};

// Per-vertex visibility of a camera-space mesh in `frame` (rendered from the same mesh and camera):
// the vertex must project into the image in front of the near plane and not lie more than the
// tolerance behind the frame's depth at its nearest pixel centre. A vertex whose pixel is
// background (it sits on the silhouette) counts as visible.
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
