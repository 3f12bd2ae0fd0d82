#include "morphfit/render/rasterizer.h"

#include <algorithm>
#include <array>
#include <cmath>
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
  float* const depth = frame.depth.data();
  int32_t* const ids = frame.triangle.data();
  for (int64_t y = min_y; y <= max_y; ++y) {
    int64_t w0 = row0, w1 = row1, w2 = row2;
    float* const depth_row = depth + y * width;
    int32_t* const id_row = ids + y * width;
    const float iz_start = static_cast<float>(iz_row);
    for (int64_t x = min_x; x <= max_x; ++x) {
      if ((w0 | w1 | w2) >= 0) {
        const float iz = iz_start + iz_step * static_cast<float>(x - min_x);
        if (iz > depth_row[x]) {
          depth_row[x] = iz;
          id_row[x] = triangle_id;
        }
      }
      w0 += step_x0;
      w1 += step_x1;
      w2 += step_x2;
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

  // Per-triangle terms of the ray / triangle intersection, recomputed when the triangle changes
  // along a row: the ray t * d (d = ((x - cx) / f, (y - cy) / f, 1)) meets v0 + b1 e1 + b2 e2 at
  //   b1 = d . (e2 x v0) / (d . n),  b2 = d . (v0 x e1) / (d . n),  z = t = v0 . n / (d . n)
  // with n = e1 x e2 (Cramer's rule), which is exact perspective-correct interpolation.
  int32_t cached = Frame::kNoTriangle;
  Eigen::Vector3d n = Eigen::Vector3d::Zero(), p1 = n, p2 = n;
  Eigen::Vector3d n0 = n, n1 = n, n2 = n;
  double k = 0.0;
  for (int y = std::max(drawn_min_y_, 0); y <= drawn_max_y_; ++y) {
    const double dy = (y - cy) * inv_f;
    for (int x = 0; x < frame.width; ++x) {
      const int i = frame.Index(x, y);
      const int32_t t = frame.triangle[i];
      if (t < 0) continue;
      const Eigen::Vector3i& tri = triangles[t];
      if (t != cached) {
        cached = t;
        const Eigen::Vector3d v0 = vertices.col(tri[0]);
        const Eigen::Vector3d e1 = vertices.col(tri[1]) - v0;
        const Eigen::Vector3d e2 = vertices.col(tri[2]) - v0;
        n = e1.cross(e2);
        p1 = e2.cross(v0);
        p2 = v0.cross(e1);
        k = v0.dot(n);
        if (with_normals) {
          n0 = mesh.normals->col(tri[0]);
          n1 = mesh.normals->col(tri[1]);
          n2 = mesh.normals->col(tri[2]);
        }
      }
      const Eigen::Vector3d d((x - cx) * inv_f, dy, 1.0);
      const double dn = d.dot(n);
      double b1 = d.dot(p1) / dn;
      double b2 = d.dot(p2) / dn;
      double depth = k / dn;
      // Pixels within 1/512 pixel of an edge can be covered by the snapped triangle yet lie just
      // outside the exact one (and a nearly edge-on triangle makes d . n tiny): keep such
      // samples on the triangle, at the nearest convex combination.
      double b0 = 1.0 - b1 - b2;
      if (!(b0 >= 0.0 && b1 >= 0.0 && b2 >= 0.0)) {
        b0 = std::max(b0, 0.0);
        b1 = std::max(b1, 0.0);
        b2 = std::max(b2, 0.0);
        const double sum = b0 + b1 + b2;
        if (sum > 0.0) {
          b0 /= sum;
          b1 /= sum;
          b2 /= sum;
        } else {
          b0 = b1 = b2 = 1.0 / 3.0;
        }
        depth = b0 * vertices(2, tri[0]) + b1 * vertices(2, tri[1]) + b2 * vertices(2, tri[2]);
      }
      frame.depth[i] = static_cast<float>(depth);
      frame.barycentric[0][i] = static_cast<float>(b0);
      frame.barycentric[1][i] = static_cast<float>(b1);
      frame.barycentric[2][i] = static_cast<float>(b2);
      if (with_normals) {
        Eigen::Vector3d normal = b0 * n0 + b1 * n1 + b2 * n2;
        const double norm = normal.norm();
        normal = norm > 0.0 ? Eigen::Vector3d(normal / norm) : Eigen::Vector3d(n.normalized());
        frame.normal[0][i] = static_cast<float>(normal.x());
        frame.normal[1][i] = static_cast<float>(normal.y());
        frame.normal[2][i] = static_cast<float>(normal.z());
      }
    }
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
