#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "morphfit/render/cache_line_allocator.h"
#include "morphfit/render/camera.h"

namespace morphfit::render {

// One per-pixel plane of a Frame.
template <typename T>
using Plane = std::vector<T, CacheLineAllocator<T>>;

// What a rasterization leaves per pixel of a width x height image, as planes (structure of
// arrays, row-major, index y * width + x) so that each consumer touches only the plane it needs.
//
// A pixel is covered (part of the face mask) when triangle[i] >= 0. Background pixels hold depth 0
// and triangle -1; their barycentrics and normals are left unspecified (not cleared, which would
// cost more than the rendering), so read those planes only where Covered().
//
// A Frame is meant to be reused: Resize() to the same size keeps the allocations, so a fitter
// can re-render between iterations without touching the heap.
struct Frame {
  static constexpr int32_t kNoTriangle = -1;

  int width = 0;
  int height = 0;
  // The camera the frame was rendered with (its intrinsics define each pixel's ray).
  Camera camera;
  // Camera-space z (mm) of the surface seen through the pixel centre.
  Plane<float> depth;
  // Index of the visible triangle in the mesh's triangle list, kNoTriangle for background.
  Plane<int32_t> triangle;
  // Perspective-correct barycentric coordinates of the pixel centre's ray on the visible triangle,
  // one plane per corner of the triangle (in the triangle's own vertex order); they sum to 1.
  Plane<float> barycentric[3];
  // Unit camera-space normal (x right, y down, z forward), interpolated from vertex normals with
  // the barycentrics; planes x, y, z. Empty when the rasterization was asked for no normals.
  Plane<float> normal[3];
  // A box holding every pixel the last rasterization covered (outside it depth and triangle are
  // background), so that Reset to the same size clears only that box: clearing a whole 1024 x 1024
  // frame moves 8 MB. Code that writes coverage into depth or triangle itself must widen the box
  // to what it wrote.
  struct Box {
    int x0 = 0, x1 = -1, y0 = 0, y1 = -1;  // inclusive; empty when x0 > x1
  };
  Box drawn;

  int num_pixels() const { return width * height; }
  int Index(int x, int y) const { return y * width + x; }
  bool Covered(int index) const { return triangle[index] >= 0; }
  bool Covered(int x, int y) const { return Covered(Index(x, y)); }
  bool has_normals() const { return !normal[0].empty(); }
  Eigen::Vector3f Barycentric(int index) const {
    return {barycentric[0][index], barycentric[1][index], barycentric[2][index]};
  }
  Eigen::Vector3f Normal(int index) const {
    return {normal[0][index], normal[1][index], normal[2][index]};
  }
  // Unit direction of the ray through pixel centre (x, y), camera space.
  Eigen::Vector3d RayDirection(int x, int y) const {
    return Eigen::Vector3d((x - camera.principal_point.x()) / camera.focal,
                           (y - camera.principal_point.y()) / camera.focal, 1.0)
        .normalized();
  }
  // Number of covered pixels.
  int CountCovered() const;

  // Sizes the planes for width x height (keeping capacity) and clears depth and triangle to
  // background (only inside `drawn` when the size is unchanged), leaving `drawn` empty. Normals are
  // sized only if `with_normals`; otherwise they are emptied.
  void Reset(int width, int height, bool with_normals);
  // Clears depth and triangle to background inside `box` (clipped to the frame), leaving `drawn`
  // as it is. The rasterizer clears what it drew before band by band this way, each band just
  // before it draws there.
  void Clear(const Box& box);
};

}  // namespace morphfit::render
