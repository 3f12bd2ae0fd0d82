#include "morphfit/render/rasterizer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Geometry>

#include "morphfit/model/error.h"
#include "morphfit/model/morphable_model.h"

namespace morphfit::render {

namespace {

// Vertices are snapped to 1/256 pixel, as Direct3D does. Edge functions are exact in int64.
constexpr int kSubpixelBits = 8;
constexpr double kSubpixelScale = 1 << kSubpixelBits;
// A projected vertex farther than this many pixels from the image is clipped in camera space
// first (to half of it), which bounds the fixed-point coordinates by 2^28 and the edge functions
// by 2^59: no int64 overflow whatever the geometry.
constexpr double kGuardBand = 1 << 20;
constexpr double kClipBand = kGuardBand / 2;

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

// Top-left rule for a positively oriented triangle in y-down pixel coordinates (clockwise on
// screen): an edge a -> b is a left edge when it goes up, a top edge when it is horizontal and
// goes right. Pixels exactly on other edges belong to the neighbouring triangle.
bool IsTopLeft(int64_t dx, int64_t dy) { return dy < 0 || (dy == 0 && dx > 0); }

// One row of a triangle's bounding box: z-test and write the pixels inside all three edges.
// Branch-free (every pixel is read and rewritten) so that the compiler vectorises it.
template <typename Int>
void RasterRow(int64_t w0_start, int64_t w1_start, int64_t w2_start, int64_t step0, int64_t step1,
               int64_t step2, float iz_start, float iz_step, int count, int32_t triangle_id,
               float* __restrict depth, int32_t* __restrict ids) {
  Int w0 = static_cast<Int>(w0_start), w1 = static_cast<Int>(w1_start),
      w2 = static_cast<Int>(w2_start);
  const Int s0 = static_cast<Int>(step0), s1 = static_cast<Int>(step1),
            s2 = static_cast<Int>(step2);
  for (int i = 0; i < count; ++i) {
    const float iz = iz_start + iz_step * static_cast<float>(i);
    const float old = depth[i];
    const bool take = ((w0 | w1 | w2) >= 0) & (iz > old);
    depth[i] = take ? iz : old;
    ids[i] = take ? triangle_id : ids[i];
    w0 += s0;
    w1 += s1;
    w2 += s2;
  }
}

// A half-space of camera space: inside when normal . p + offset >= 0.
struct ClipPlane {
  Eigen::Vector3d normal;
  double offset;
  double Distance(const Eigen::Vector3d& p) const { return normal.dot(p) + offset; }
};

}  // namespace

void RasterOptions::Check() const {
  if (!(near_plane > 0.0) || !std::isfinite(near_plane)) {
    throw Error("render options: near_plane must be a positive distance in mm, got " +
                std::to_string(near_plane));
  }
}

Rasterizer::Rasterizer(const RasterOptions& options) : options_(options) { options_.Check(); }

void Rasterizer::Render(const CameraSpaceMesh& mesh, const Camera& camera, Frame& frame) {
  if (mesh.vertices == nullptr || mesh.triangles == nullptr) {
    throw Error("rasterizer: the mesh has no vertices or no triangles");
  }
  if (camera.width <= 0 || camera.height <= 0 || !(camera.focal > 0.0) ||
      !std::isfinite(camera.focal) || !camera.principal_point.allFinite()) {
    throw Error("rasterizer: invalid camera (" + std::to_string(camera.width) + " x " +
                std::to_string(camera.height) + " pixels, focal " + std::to_string(camera.focal) +
                ")");
  }
  const Eigen::Matrix3Xd& vertices = *mesh.vertices;
  const int num_vertices = static_cast<int>(vertices.cols());
  if (options_.compute_normals &&
      (mesh.normals == nullptr || mesh.normals->cols() != vertices.cols())) {
    throw Error("rasterizer: normals asked for, but the mesh has no vertex normal per vertex");
  }
  if (!vertices.allFinite()) throw Error("rasterizer: the mesh has non-finite vertices");

  frame.Reset(camera.width, camera.height, options_.compute_normals);
  frame.camera = camera;
  drawn_min_y_ = camera.height;
  drawn_max_y_ = -1;

  // Project every vertex once; triangles share them.
  screen_.resize(num_vertices);
  const double f = camera.focal;
  const double cx = camera.principal_point.x();
  const double cy = camera.principal_point.y();
  const double max_x = camera.width - 1 + kGuardBand;
  const double max_y = camera.height - 1 + kGuardBand;
  for (int v = 0; v < num_vertices; ++v) {
    const double z = vertices(2, v);
    ScreenVertex& s = screen_[v];
    s.needs_clipping = true;
    if (z < options_.near_plane) continue;
    const double x = f * vertices(0, v) / z + cx;
    const double y = f * vertices(1, v) / z + cy;
    if (x < -kGuardBand || x > max_x || y < -kGuardBand || y > max_y) continue;
    s.x = std::llround(x * kSubpixelScale);
    s.y = std::llround(y * kSubpixelScale);
    s.inverse_depth = 1.0 / z;
    s.needs_clipping = false;
  }

  const std::vector<Eigen::Vector3i>& triangles = *mesh.triangles;
  const int num_triangles = static_cast<int>(triangles.size());
  for (int t = 0; t < num_triangles; ++t) {
    const Eigen::Vector3i& tri = triangles[t];
    if ((tri.array() < 0).any() || (tri.array() >= num_vertices).any()) {
      throw Error("rasterizer: triangle " + std::to_string(t) + " refers to a vertex outside 0.." +
                  std::to_string(num_vertices - 1));
    }
    const ScreenVertex& a = screen_[tri[0]];
    const ScreenVertex& b = screen_[tri[1]];
    const ScreenVertex& c = screen_[tri[2]];
    if (a.needs_clipping || b.needs_clipping || c.needs_clipping) {
      ClipAndRasterize(vertices.col(tri[0]), vertices.col(tri[1]), vertices.col(tri[2]), t, camera,
                       frame);
      continue;
    }
    // Positive area is clockwise on screen, i.e. the model's counter-clockwise front side faces
    // away from the camera.
    if (options_.cull_back_faces && (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x) > 0) {
      continue;
    }
    RasterizeTriangle(a, b, c, t, frame);
  }
  Resolve(mesh, camera, frame);
}

void Rasterizer::RasterizeTriangle(const ScreenVertex& a, const ScreenVertex& b_in,
                                   const ScreenVertex& c_in, int32_t triangle_id, Frame& frame) {
  int64_t area = (b_in.x - a.x) * (c_in.y - a.y) - (b_in.y - a.y) * (c_in.x - a.x);
  if (area == 0) return;
  // Orient positively so that all three edge functions are positive inside.
  const bool flip = area < 0;
  const ScreenVertex& b = flip ? c_in : b_in;
  const ScreenVertex& c = flip ? b_in : c_in;
  if (flip) area = -area;

  constexpr int64_t kOne = int64_t{1} << kSubpixelBits;
  const int64_t min_x = std::max<int64_t>(0, CeilDiv(std::min({a.x, b.x, c.x}), kOne));
  const int64_t max_x =
      std::min<int64_t>(frame.width - 1, FloorDiv(std::max({a.x, b.x, c.x}), kOne));
  const int64_t min_y = std::max<int64_t>(0, CeilDiv(std::min({a.y, b.y, c.y}), kOne));
  const int64_t max_y =
      std::min<int64_t>(frame.height - 1, FloorDiv(std::max({a.y, b.y, c.y}), kOne));
  if (min_x > max_x || min_y > max_y) return;

  // Edge e_k is opposite vertex k: e0 = b -> c, e1 = c -> a, e2 = a -> b;
  // E(p) = (q.x - p0.x) * (p.y - p0.y) - (q.y - p0.y) * (p.x - p0.x) for the edge p0 -> q.
  const int64_t px = min_x * kOne;
  const int64_t py = min_y * kOne;
  const int64_t dx0 = c.x - b.x, dy0 = c.y - b.y;
  const int64_t dx1 = a.x - c.x, dy1 = a.y - c.y;
  const int64_t dx2 = b.x - a.x, dy2 = b.y - a.y;
  int64_t row0 = dx0 * (py - b.y) - dy0 * (px - b.x) - (IsTopLeft(dx0, dy0) ? 0 : 1);
  int64_t row1 = dx1 * (py - c.y) - dy1 * (px - c.x) - (IsTopLeft(dx1, dy1) ? 0 : 1);
  int64_t row2 = dx2 * (py - a.y) - dy2 * (px - a.x) - (IsTopLeft(dx2, dy2) ? 0 : 1);
  const int64_t step_x0 = -dy0 * kOne, step_x1 = -dy1 * kOne, step_x2 = -dy2 * kOne;
  const int64_t step_y0 = dx0 * kOne, step_y1 = dx1 * kOne, step_y2 = dx2 * kOne;

  // Inverse depth is affine in screen space: the edge functions are its barycentric weights.
  const double inv_area = 1.0 / static_cast<double>(area);
  const double iz_dx =
      (step_x0 * a.inverse_depth + step_x1 * b.inverse_depth + step_x2 * c.inverse_depth) *
      inv_area;
  const double iz_dy =
      (step_y0 * a.inverse_depth + step_y1 * b.inverse_depth + step_y2 * c.inverse_depth) *
      inv_area;
  double iz_row =
      (static_cast<double>(row0) * a.inverse_depth + static_cast<double>(row1) * b.inverse_depth +
       static_cast<double>(row2) * c.inverse_depth) *
      inv_area;
  const float iz_step = static_cast<float>(iz_dx);

  const int width = frame.width;
  const int count = static_cast<int>(max_x - min_x + 1);
  float* const depth = frame.depth.data() + min_x;
  int32_t* const ids = frame.triangle.data() + min_x;
  // Most triangles are small: their edge functions over the bounding box fit in int32, which
  // halves the vector width the compiler needs.
  const int64_t nx = max_x - min_x, ny = max_y - min_y;
  auto bound = [&](int64_t row, int64_t sx, int64_t sy) {
    return std::abs(row) + std::abs(sx) * nx + std::abs(sy) * ny;
  };
  const bool fits_int32 =
      std::max({bound(row0, step_x0, step_y0), bound(row1, step_x1, step_y1),
                bound(row2, step_x2, step_y2)}) < std::numeric_limits<int32_t>::max();
  for (int64_t y = min_y; y <= max_y; ++y) {
    const float iz_start = static_cast<float>(iz_row);
    float* const depth_row = depth + y * width;
    int32_t* const id_row = ids + y * width;
    if (fits_int32) {
      RasterRow<int32_t>(row0, row1, row2, step_x0, step_x1, step_x2, iz_start, iz_step, count,
                         triangle_id, depth_row, id_row);
    } else {
      RasterRow<int64_t>(row0, row1, row2, step_x0, step_x1, step_x2, iz_start, iz_step, count,
                         triangle_id, depth_row, id_row);
    }
    row0 += step_y0;
    row1 += step_y1;
    row2 += step_y2;
    iz_row += iz_dy;
  }
  drawn_min_y_ = std::min<int>(drawn_min_y_, static_cast<int>(min_y));
  drawn_max_y_ = std::max<int>(drawn_max_y_, static_cast<int>(max_y));
}

void Rasterizer::ClipAndRasterize(const Eigen::Vector3d& a, const Eigen::Vector3d& b,
                                  const Eigen::Vector3d& c, int32_t triangle_id,
                                  const Camera& camera, Frame& frame) {
  const double near = options_.near_plane;
  if (a.z() < near && b.z() < near && c.z() < near) return;
  // Front side towards the camera <=> det(a, b, c) < 0 (camera at the origin).
  if (options_.cull_back_faces && a.dot(b.cross(c)) >= 0.0) return;

  const double f = camera.focal;
  const double cx = camera.principal_point.x();
  const double cy = camera.principal_point.y();
  // Near plane, then the four sides of a band around the image (pixel x >= -band etc.).
  const std::array<ClipPlane, 5> planes = {{
      {Eigen::Vector3d(0, 0, 1), -near},
      {Eigen::Vector3d(f, 0, cx + kClipBand), 0.0},
      {Eigen::Vector3d(-f, 0, camera.width - 1 + kClipBand - cx), 0.0},
      {Eigen::Vector3d(0, f, cy + kClipBand), 0.0},
      {Eigen::Vector3d(0, -f, camera.height - 1 + kClipBand - cy), 0.0},
  }};
  // Sutherland-Hodgman; a triangle clipped by 5 planes has at most 8 corners.
  std::array<Eigen::Vector3d, 9> polygon = {a, b, c};
  std::array<Eigen::Vector3d, 9> clipped;
  int count = 3;
  for (const ClipPlane& plane : planes) {
    int out = 0;
    for (int i = 0; i < count; ++i) {
      const Eigen::Vector3d& p = polygon[i];
      const Eigen::Vector3d& q = polygon[(i + 1) % count];
      const double dp = plane.Distance(p);
      const double dq = plane.Distance(q);
      if (dp >= 0.0) clipped[out++] = p;
      if ((dp >= 0.0) != (dq >= 0.0)) clipped[out++] = p + (dp / (dp - dq)) * (q - p);
    }
    polygon = clipped;
    count = out;
    if (count < 3) return;
  }
  std::array<ScreenVertex, 9> screen;
  for (int i = 0; i < count; ++i) {
    const Eigen::Vector3d& p = polygon[i];
    const double z = std::max(p.z(), near);  // rounding may put an intersection just in front
    screen[i].x = std::llround((f * p.x() / z + cx) * kSubpixelScale);
    screen[i].y = std::llround((f * p.y() / z + cy) * kSubpixelScale);
    screen[i].inverse_depth = 1.0 / z;
    screen[i].needs_clipping = false;
  }
  for (int i = 1; i + 1 < count; ++i) {
    RasterizeTriangle(screen[0], screen[i], screen[i + 1], triangle_id, frame);
  }
}

void Rasterizer::Resolve(const CameraSpaceMesh& mesh, const Camera& camera, Frame& frame) const {
  const Eigen::Matrix3Xd& vertices = *mesh.vertices;
  const std::vector<Eigen::Vector3i>& triangles = *mesh.triangles;
  const bool with_normals = options_.compute_normals;
  const double inv_f = 1.0 / camera.focal;
  const double cx = camera.principal_point.x();
  const double cy = camera.principal_point.y();
  const int width = frame.width;

  for (int y = std::max(drawn_min_y_, 0); y <= drawn_max_y_; ++y) {
    const size_t row = static_cast<size_t>(y) * width;
    const int32_t* ids = frame.triangle.data() + row;
    const double dy = (y - cy) * inv_f;
    int x = 0;
    while (x < width) {
      const int32_t t = ids[x];
      if (t < 0) {
        ++x;
        continue;
      }
      int end = x + 1;
      while (end < width && ids[end] == t) ++end;

      // The ray t * d, d = ((x - cx) / f, (y - cy) / f, 1), meets v0 + b1 e1 + b2 e2 at
      //   b1 = d . (e2 x v0) / (d . n),  b2 = d . (v0 x e1) / (d . n),  n = e1 x e2
      // (Cramer's rule): exact perspective-correct barycentrics. Along a run of one triangle in a
      // row all three dot products are affine in x; set them up in double at the run's start,
      // scaled so that d . n starts at 1, and step in float.
      const Eigen::Vector3i& tri = triangles[t];
      const Eigen::Vector3d v0 = vertices.col(tri[0]);
      const Eigen::Vector3d e1 = vertices.col(tri[1]) - v0;
      const Eigen::Vector3d e2 = vertices.col(tri[2]) - v0;
      const Eigen::Vector3d n = e1.cross(e2);
      const Eigen::Vector3d p1 = e2.cross(v0);
      const Eigen::Vector3d p2 = v0.cross(e1);
      const Eigen::Vector3d d((x - cx) * inv_f, dy, 1.0);
      const double scale = 1.0 / d.dot(n);
      RunSetup run;
      run.slope_dn = static_cast<float>(n.x() * inv_f * scale);
      run.b1 = static_cast<float>(d.dot(p1) * scale);
      run.slope_b1 = static_cast<float>(p1.x() * inv_f * scale);
      run.b2 = static_cast<float>(d.dot(p2) * scale);
      run.slope_b2 = static_cast<float>(p2.x() * inv_f * scale);
      for (int k = 0; k < 3; ++k) {
        run.z[k] = static_cast<float>(vertices(2, tri[k]));
        if (with_normals) {
          for (int c = 0; c < 3; ++c)
            run.normal[c][k] = static_cast<float>((*mesh.normals)(c, tri[k]));
        }
      }
      ResolveRun(run, end - x, row + x, with_normals, frame);
      x = end;
    }
  }
}

void Rasterizer::ResolveRun(const RunSetup& run, int count, size_t offset, bool with_normals,
                            Frame& frame) {
  float* __restrict depth = frame.depth.data() + offset;
  float* __restrict bary0 = frame.barycentric[0].data() + offset;
  float* __restrict bary1 = frame.barycentric[1].data() + offset;
  float* __restrict bary2 = frame.barycentric[2].data() + offset;
  // Branch-free so that the compiler vectorises it. Pixels within 1/512 pixel of an edge can be
  // covered by the snapped triangle yet lie just outside the exact one: clamping keeps their
  // samples on the triangle (interior pixels are unchanged, their barycentrics sum to 1), and the
  // depth of the clamped point is then taken, which equals the ray depth inside.
  for (int i = 0; i < count; ++i) {
    const float fi = static_cast<float>(i);
    const float inv = 1.0F / (1.0F + run.slope_dn * fi);
    float b1 = std::max((run.b1 + run.slope_b1 * fi) * inv, 0.0F);
    float b2 = std::max((run.b2 + run.slope_b2 * fi) * inv, 0.0F);
    float b0 = std::max(1.0F - b1 - b2, 0.0F);
    const float renormalise = 1.0F / (b0 + b1 + b2);
    b0 *= renormalise;
    b1 *= renormalise;
    b2 *= renormalise;
    bary0[i] = b0;
    bary1[i] = b1;
    bary2[i] = b2;
    depth[i] = b0 * run.z[0] + b1 * run.z[1] + b2 * run.z[2];
  }
  if (!with_normals) return;
  float* __restrict nx = frame.normal[0].data() + offset;
  float* __restrict ny = frame.normal[1].data() + offset;
  float* __restrict nz = frame.normal[2].data() + offset;
  for (int i = 0; i < count; ++i) {
    const float b0 = bary0[i], b1 = bary1[i], b2 = bary2[i];
    const float x = b0 * run.normal[0][0] + b1 * run.normal[0][1] + b2 * run.normal[0][2];
    const float y = b0 * run.normal[1][0] + b1 * run.normal[1][1] + b2 * run.normal[1][2];
    const float z = b0 * run.normal[2][0] + b1 * run.normal[2][1] + b2 * run.normal[2][2];
    // Vertex normals of one triangle never cancel out in practice; the floor only avoids NaN.
    const float inv_norm = 1.0F / std::sqrt(std::max(x * x + y * y + z * z, 1e-30F));
    nx[i] = x * inv_norm;
    ny[i] = y * inv_norm;
    nz[i] = z * inv_norm;
  }
}

void TransformToCamera(const Camera& camera, const Eigen::Matrix3Xd& model_vertices,
                       Eigen::Matrix3Xd& camera_vertices) {
  camera_vertices.resize(3, model_vertices.cols());
  camera_vertices.noalias() = camera.rotation * model_vertices;
  camera_vertices.colwise() += camera.translation;
}

void RotateNormals(const Camera& camera, const Eigen::Matrix3Xd& model_normals,
                   Eigen::Matrix3Xd& camera_normals) {
  camera_normals.resize(3, model_normals.cols());
  camera_normals.noalias() = camera.rotation * model_normals;
}

Frame RenderModelSpaceMesh(const Eigen::Matrix3Xd& model_vertices,
                           const std::vector<Eigen::Vector3i>& triangles, const Camera& camera,
                           const RasterOptions& options) {
  Eigen::Matrix3Xd vertices;
  Eigen::Matrix3Xd normals;
  TransformToCamera(camera, model_vertices, vertices);
  if (options.compute_normals) {
    RotateNormals(camera, model::VertexNormals(model_vertices, triangles), normals);
  }
  Frame frame;
  Rasterizer(options).Render({&vertices, &triangles, &normals}, camera, frame);
  return frame;
}

}  // namespace morphfit::render
