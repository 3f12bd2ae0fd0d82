#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "morphfit/render/camera.h"
#include "morphfit/render/frame.h"

namespace morphfit::render {

struct RasterOptions {
  // Triangles are clipped to z >= near_plane (camera space, mm); parts behind it are not drawn.
  double near_plane = 1.0;
  // Skip triangles whose front side (counter-clockwise seen from outside, the model's winding)
  // faces away from the camera.
  bool cull_back_faces = false;
  // Interpolate vertex normals into Frame::normal (needs vertex normals in the mesh).
  bool compute_normals = true;
  // Triangles whose projected bounding box spans less than small_triangle_pixels each way take a
  // lean set-up with edge functions exact in float, then those under medium_triangle_pixels one
  // with edge functions exact in int32, the others exact int64 edge functions. All follow the same
  // rules and give the same frame; only tests change these (0 turns a path off).
  int small_triangle_pixels = kMaxSmallTrianglePixels;
  int medium_triangle_pixels = kMaxMediumTrianglePixels;
  static constexpr int kMaxSmallTrianglePixels = 8;    // float exactness bound, see rasterizer.cc
  static constexpr int kMaxMediumTrianglePixels = 64;  // int32 bound
  // Use the AVX2 code paths where the CPU has AVX2 (checked at run time; the build targets plain
  // x86-64). They give the same frame, bit for bit, as the SSE ones; only tests turn this off.
  bool allow_avx2 = true;

  // Throws morphfit::Error for an invalid option.
  void Check() const;
};

// A triangle mesh already in camera space (mm). `normals` are unit vertex normals in camera space,
// needed only when RasterOptions::compute_normals is set. The pointers must outlive the call.
struct CameraSpaceMesh {
  const Eigen::Matrix3Xd* vertices = nullptr;
  const std::vector<Eigen::Vector3i>* triangles = nullptr;
  const Eigen::Matrix3Xd* normals = nullptr;
};

// Z-buffered triangle rasterizer.
//
// Coverage follows the Direct3D rules: pixel centres at integer coordinates, vertices snapped to
// 1/256 pixel, exact integer edge functions and the top-left fill convention, so a pixel on an
// edge shared by two triangles is drawn exactly once. The raster pass keeps only inverse depth and
// the triangle id per pixel; barycentrics, depth and normals are then resolved once per covered
// pixel (perspective-correct whatever the overdraw): by intersecting the pixel centre's ray with
// the winning triangle, or, for triangles spanning less than kMaxSmallTrianglePixels, from the
// inverse depths of the snapped triangle the raster pass drew (within 1/512 pixel of the exact
// one). Triangles crossing the near plane (or reaching far beyond the image) are clipped in
// camera space; the clipped pieces keep their triangle id.
//
// Holds scratch buffers: keep one Rasterizer per thread and reuse it, together with the Frame.
class Rasterizer {
 public:
  explicit Rasterizer(const RasterOptions& options = RasterOptions());

  const RasterOptions& options() const { return options_; }
  // Whether Render takes the AVX2 paths (allowed by the options and supported by the CPU).
  bool uses_avx2() const { return use_avx2_; }

  // Renders `mesh` seen by `camera` (only its intrinsics and camera.width x camera.height are
  // used; the mesh is already in camera space) into `frame`, which is resized to the image.
  // Throws morphfit::Error for an invalid mesh or camera.
  void Render(const CameraSpaceMesh& mesh, const Camera& camera, Frame& frame);

 private:
  // A vertex projected to fixed-point pixel coordinates (1/256 pixel; the guard band bounds them
  // by 2^29).
  struct ScreenVertex {
    int32_t x = 0;
    int32_t y = 0;
    float inverse_depth = 0.0F;
    int32_t needs_clipping = 0;  // behind the near plane or beyond the guard band
  };
  // The pixel centres of a triangle's bounding box, clipped to the image.
  using PixelBox = Frame::Box;
  // Entries appended one at a time, or by the AVX2 pass 1 eight at once of which it keeps some:
  // storage has room for eight more past the `size` valid ones, so that no append checks for room
  // first.
  struct EntryList {
    std::vector<int32_t> storage = std::vector<int32_t>(8);
    size_t size = 0;
    const int32_t* begin() const { return storage.data(); }
    const int32_t* end() const { return storage.data() + size; }
    // Where the next entries go (eight may be written there).
    int32_t* Room() { return storage.data() + size; }
    // Keeps `count` (at most 8) entries written at Room().
    void Keep(size_t count) {
      size += count;
      if (storage.size() < size + 8) storage.resize(2 * storage.size());
    }
    void Push(int32_t entry) {
      storage[size] = entry;
      Keep(1);
    }
  };
  // Projects the vertices into screen_; throws morphfit::Error for a non-finite one.
  void ProjectVertices(const Eigen::Matrix3Xd& vertices, const Camera& camera);
  // The same for the first vertices, four at a time with AVX2; returns how many it did and sets
  // `finite` to whether they all were.
  int ProjectVerticesAvx2(const Eigen::Matrix3Xd& vertices, const Camera& camera, bool& finite);
  // Pass 1 for triangle t: checks its corners' indices, clips it if it needs clipping, and adds
  // what has pixels to the drawn box, to_set_up_ and the bands (of 2^band_shift rows) it meets.
  void BinTriangle(int32_t t, const CameraSpaceMesh& mesh, const Camera& camera, int band_shift);
  // The same for what is drawn of triangle t: `entry` is t or, for a piece, ~(its index).
  void Bin(int32_t entry, const ScreenVertex& a, const ScreenVertex& b, const ScreenVertex& c,
           int32_t t, const Camera& camera, int band_shift);
  // BinTriangle for all triangles, eight at a time with AVX2 where none of them is clipped;
  // returns how many it did (the rest, fewer than eight, are left to the caller).
  int BinTrianglesAvx2(const CameraSpaceMesh& mesh, const Camera& camera, int band_shift);
  // Rasterizes the entries of a band (as bands_ lists them) in rows row0..row1, in their order,
  // setting up the resolve terms of the small whole triangles on the way.
  void RasterizeBand(const CameraSpaceMesh& mesh, const EntryList& entries, int row0, int row1,
                     Frame& frame);
  // Rasterizes the triangle's pixels in rows row0..row1 (a band of the image); for a whole
  // triangle (not a clipped piece), `whole_triangle` gives its corners' indices, and a small one
  // gets its resolve terms set up.
  void RasterizeTriangle(const ScreenVertex& a, const ScreenVertex& b, const ScreenVertex& c,
                         int32_t triangle_id, bool cull_back_faces, int row0, int row1,
                         Frame& frame, const Eigen::Vector3i* whole_triangle = nullptr);
  // The mesh's vertex normals as floats into normals_.
  void ConvertNormals(const Eigen::Matrix3Xd& normals);
  void RasterizeLargeTriangle(const ScreenVertex& a, const ScreenVertex& b, const ScreenVertex& c,
                              const PixelBox& box, int32_t triangle_id, bool cull_back_faces,
                              Frame& frame);
  // A piece of a triangle clipped in camera space (near plane, guard band), in screen space.
  struct Piece {
    ScreenVertex a, b, c;
    int32_t triangle_id;
  };
  // Appends the pieces of what is left of triangle abc after clipping to pieces_.
  void ClipToPieces(const Eigen::Vector3d& a, const Eigen::Vector3d& b, const Eigen::Vector3d& c,
                    int32_t triangle_id, const Camera& camera);
  // Per drawn triangle, the resolve pass's terms in float relative to a pixel (ox, oy) near it:
  // 20 floats, so that the terms of four triangles transpose into SSE lanes.
  struct alignas(16) ResolveSetup {
    float terms[20];
  };
  // Sets up the terms of the triangles to_set_up_ lists (their pixel (ox, oy) already in place),
  // four at a time with AVX2 where it is used.
  void SetupResolves(const CameraSpaceMesh& mesh, const Camera& camera);

  RasterOptions options_;
  bool use_avx2_ = false;
  std::vector<ScreenVertex> screen_;  // projected vertices of the current mesh
  std::vector<float> normals_;  // vertex normals of the current mesh, four floats (x, y, z, 0) each
  int32_t small_limit_ = 0;     // small_triangle_pixels in fixed point
  int32_t medium_limit_ = 0;    // medium_triangle_pixels in fixed point
  PixelBox drawn_ = {0, -1, 0, -1};  // union of the drawn triangles' boxes
  // Resolve terms of triangle t at t + 1 (valid for the drawn ones); entry 0 all zero, for the
  // background lanes of a block.
  std::vector<ResolveSetup> setups_;
  // The drawn triangles whose terms SetupResolves sets up (not the small whole ones, set up as
  // they are drawn), in mesh order.
  EntryList to_set_up_;
  std::vector<Piece> pieces_;  // clipped triangles of the current mesh
  // Per band of rows, the triangles (index t >= 0) and pieces (~index) meeting it, in mesh order;
  // with AVX2, kSmallEntry + t for a triangle spanning less than small_triangle_pixels (those are
  // set up eight at a time).
  std::vector<EntryList> bands_;
  static constexpr int32_t kSmallEntry = 1 << 30;
};

// Model-space mesh -> camera-space mesh for `camera`'s pose: vertices R X + t, normals R n.
void TransformToCamera(const Camera& camera, const Eigen::Matrix3Xd& model_vertices,
                       Eigen::Matrix3Xd& camera_vertices);
void RotateNormals(const Camera& camera, const Eigen::Matrix3Xd& model_normals,
                   Eigen::Matrix3Xd& camera_normals);

// One-shot convenience: transforms a model-space mesh with `camera`'s pose, computes vertex
// normals and renders it. Allocates; loops should use Rasterizer directly.
Frame RenderModelSpaceMesh(const Eigen::Matrix3Xd& model_vertices,
                           const std::vector<Eigen::Vector3i>& triangles, const Camera& camera,
                           const RasterOptions& options = RasterOptions());

}  // namespace morphfit::render
