#include "morphfit/render/rasterizer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Geometry>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

// Pixel index at or below / above a fixed-point coordinate (arithmetic shift floors).
int64_t FloorPixel(int64_t a) { return a >> kSubpixelBits; }
int64_t CeilPixel(int64_t a) { return -((-a) >> kSubpixelBits); }

// Top-left rule for a positively oriented triangle in y-down pixel coordinates (clockwise on
// screen): an edge a -> b is a left edge when it goes up, a top edge when it is horizontal and
// goes right. Pixels exactly on other edges belong to the neighbouring triangle.
bool IsTopLeft(int64_t dx, int64_t dy) { return dy < 0 || (dy == 0 && dx > 0); }

// One row of a triangle's bounding box: z-test and write the pixels inside all three edges.
// Four pixels at a time with SSE2 when the edge functions fit in int32, then one at a time.
template <typename Int>
void RasterRow(int64_t w0_start, int64_t w1_start, int64_t w2_start, int64_t step0, int64_t step1,
               int64_t step2, float iz_start, float iz_step, int count, int32_t triangle_id,
               float* __restrict depth, int32_t* __restrict ids) {
  Int w0 = static_cast<Int>(w0_start), w1 = static_cast<Int>(w1_start),
      w2 = static_cast<Int>(w2_start);
  const Int s0 = static_cast<Int>(step0), s1 = static_cast<Int>(step1),
            s2 = static_cast<Int>(step2);
  int i = 0;
#ifdef __SSE2__
  if constexpr (sizeof(Int) == 4) {
    // Four pixels at a time; the caller guarantees the edge functions stay in int32 up to
    // count + 3 steps.
    const __m128i lanes = _mm_set_epi32(3, 2, 1, 0);
    auto offsets = [&](Int step) { return _mm_set_epi32(3 * step, 2 * step, step, 0); };
    __m128i v0 = _mm_add_epi32(_mm_set1_epi32(w0), offsets(s0));
    __m128i v1 = _mm_add_epi32(_mm_set1_epi32(w1), offsets(s1));
    __m128i v2 = _mm_add_epi32(_mm_set1_epi32(w2), offsets(s2));
    const __m128i step0x4 = _mm_set1_epi32(4 * s0), step1x4 = _mm_set1_epi32(4 * s1),
                  step2x4 = _mm_set1_epi32(4 * s2);
    const __m128i minus_one = _mm_set1_epi32(-1), id = _mm_set1_epi32(triangle_id);
    const __m128 start = _mm_set1_ps(iz_start), step = _mm_set1_ps(iz_step);
    for (; i + 4 <= count; i += 4) {
      const __m128 fi = _mm_cvtepi32_ps(_mm_add_epi32(_mm_set1_epi32(i), lanes));
      const __m128 iz = _mm_add_ps(start, _mm_mul_ps(step, fi));
      const __m128 old = _mm_loadu_ps(depth + i);
      const __m128i inside = _mm_cmpgt_epi32(_mm_or_si128(_mm_or_si128(v0, v1), v2), minus_one);
      const __m128i take = _mm_and_si128(inside, _mm_castps_si128(_mm_cmpgt_ps(iz, old)));
      const __m128 take_ps = _mm_castsi128_ps(take);
      _mm_storeu_ps(depth + i, _mm_or_ps(_mm_and_ps(take_ps, iz), _mm_andnot_ps(take_ps, old)));
      __m128i* id_ptr = reinterpret_cast<__m128i*>(ids + i);
      const __m128i old_ids = _mm_loadu_si128(id_ptr);
      _mm_storeu_si128(id_ptr,
                       _mm_or_si128(_mm_and_si128(take, id), _mm_andnot_si128(take, old_ids)));
      v0 = _mm_add_epi32(v0, step0x4);
      v1 = _mm_add_epi32(v1, step1x4);
      v2 = _mm_add_epi32(v2, step2x4);
    }
    w0 += static_cast<Int>(i) * s0;
    w1 += static_cast<Int>(i) * s1;
    w2 += static_cast<Int>(i) * s2;
  }
#endif
  for (; i < count; ++i) {
    const float iz = iz_start + iz_step * static_cast<float>(i);
    if (((w0 | w1 | w2) >= 0) && iz > depth[i]) {
      depth[i] = iz;
      ids[i] = triangle_id;
    }
    w0 += s0;
    w1 += s1;
    w2 += s2;
  }
}

// Barycentrics, depth and (optionally) normals along a run of pixels of one triangle.
//
// Pixels within 1/512 pixel of an edge can be covered by the snapped triangle yet lie just outside
// the exact one: clamping keeps their samples on the triangle (interior pixels are unchanged, their
// barycentrics sum to 1), and the depth of the clamped point is then taken, which equals the ray
// depth inside. Written once for float and once for four floats (SSE) with the same operations in
// the same order, so both give the same bits.
struct RunTerms {
  float slope_dn, b1, slope_b1, b2, slope_b2;
  float z[3];
  float n[3][3];  // [component][corner]
};

// RunTerms broadcast to the vector type once per run.
template <typename Ops>
struct RunTermsOf {
  using V = typename Ops::V;
  V one, zero, tiny, slope_dn, b1, slope_b1, b2, slope_b2;
  V z[3];
  V n[3][3];
  explicit RunTermsOf(const RunTerms& t)
      : one(Ops::Set(1.0F)),
        zero(Ops::Set(0.0F)),
        tiny(Ops::Set(1e-30F)),
        slope_dn(Ops::Set(t.slope_dn)),
        b1(Ops::Set(t.b1)),
        slope_b1(Ops::Set(t.slope_b1)),
        b2(Ops::Set(t.b2)),
        slope_b2(Ops::Set(t.slope_b2)) {
    for (int k = 0; k < 3; ++k) {
      z[k] = Ops::Set(t.z[k]);
      for (int c = 0; c < 3; ++c) n[c][k] = Ops::Set(t.n[c][k]);
    }
  }
};

template <typename Ops>
inline void ResolvePixels(const RunTermsOf<Ops>& t, typename Ops::V fi, bool with_normals,
                          typename Ops::V out[7]) {
  using V = typename Ops::V;
  const V inv = Ops::Div(t.one, Ops::Add(t.one, Ops::Mul(t.slope_dn, fi)));
  V b1 = Ops::Max(Ops::Mul(Ops::Add(t.b1, Ops::Mul(t.slope_b1, fi)), inv), t.zero);
  V b2 = Ops::Max(Ops::Mul(Ops::Add(t.b2, Ops::Mul(t.slope_b2, fi)), inv), t.zero);
  V b0 = Ops::Max(Ops::Sub(Ops::Sub(t.one, b1), b2), t.zero);
  const V renormalise = Ops::Div(t.one, Ops::Add(Ops::Add(b0, b1), b2));
  b0 = Ops::Mul(b0, renormalise);
  b1 = Ops::Mul(b1, renormalise);
  b2 = Ops::Mul(b2, renormalise);
  auto blend = [&](const V* corner) {
    return Ops::Add(Ops::Add(Ops::Mul(b0, corner[0]), Ops::Mul(b1, corner[1])),
                    Ops::Mul(b2, corner[2]));
  };
  out[0] = b0;
  out[1] = b1;
  out[2] = b2;
  out[3] = blend(t.z);
  if (!with_normals) return;
  const V x = blend(t.n[0]), y = blend(t.n[1]), z = blend(t.n[2]);
  // Vertex normals of one triangle never cancel out in practice; the floor avoids NaN.
  const V length2 = Ops::Add(Ops::Add(Ops::Mul(x, x), Ops::Mul(y, y)), Ops::Mul(z, z));
  const V inv_norm = Ops::Div(t.one, Ops::Sqrt(Ops::Max(length2, t.tiny)));
  out[4] = Ops::Mul(x, inv_norm);
  out[5] = Ops::Mul(y, inv_norm);
  out[6] = Ops::Mul(z, inv_norm);
}

struct ScalarOps {
  using V = float;
  static float Set(float v) { return v; }
  static float Add(float a, float b) { return a + b; }
  static float Sub(float a, float b) { return a - b; }
  static float Mul(float a, float b) { return a * b; }
  static float Div(float a, float b) { return a / b; }
  static float Max(float a, float b) { return a > b ? a : b; }  // as maxps: b unless a > b
  static float Sqrt(float a) { return std::sqrt(a); }
};

#ifdef __SSE2__
struct SseOps {
  using V = __m128;
  static __m128 Set(float v) { return _mm_set1_ps(v); }
  static __m128 Add(__m128 a, __m128 b) { return _mm_add_ps(a, b); }
  static __m128 Sub(__m128 a, __m128 b) { return _mm_sub_ps(a, b); }
  static __m128 Mul(__m128 a, __m128 b) { return _mm_mul_ps(a, b); }
  static __m128 Div(__m128 a, __m128 b) { return _mm_div_ps(a, b); }
  static __m128 Max(__m128 a, __m128 b) { return _mm_max_ps(a, b); }
  static __m128 Sqrt(__m128 a) { return _mm_sqrt_ps(a); }
};
#endif

template <typename FrameT>
void ResolveRunPlanes(const RunTerms& terms, int count, size_t offset, bool with_normals,
                      FrameT& frame) {
  float* planes[7] = {frame.barycentric[0].data() + offset,
                      frame.barycentric[1].data() + offset,
                      frame.barycentric[2].data() + offset,
                      frame.depth.data() + offset,
                      nullptr,
                      nullptr,
                      nullptr};
  if (with_normals) {
    for (int c = 0; c < 3; ++c) planes[4 + c] = frame.normal[c].data() + offset;
  }
  const int num_planes = with_normals ? 7 : 4;
  int i = 0;
#ifdef __SSE2__
  const RunTermsOf<SseOps> vector_terms(terms);
  for (; i < count; i += 4) {
    __m128 out[7];
    const __m128 fi = _mm_add_ps(_mm_set1_ps(static_cast<float>(i)), _mm_set_ps(3, 2, 1, 0));
    ResolvePixels(vector_terms, fi, with_normals, out);
    if (i + 4 <= count) {
      for (int p = 0; p < num_planes; ++p) _mm_storeu_ps(planes[p] + i, out[p]);
    } else {  // the run's last pixels: the ones after it belong to other runs or the background
      alignas(16) float lanes[7][4];
      for (int p = 0; p < num_planes; ++p) _mm_store_ps(lanes[p], out[p]);
      for (int lane = 0; lane < count - i; ++lane) {
        for (int p = 0; p < num_planes; ++p) planes[p][i + lane] = lanes[p][lane];
      }
    }
  }
#else
  const RunTermsOf<ScalarOps> scalar_terms(terms);
  for (; i < count; ++i) {
    float out[7];
    ResolvePixels(scalar_terms, static_cast<float>(i), with_normals, out);
    for (int p = 0; p < num_planes; ++p) planes[p][i] = out[p];
  }
#endif
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
  const int64_t min_x = std::max<int64_t>(0, CeilPixel(std::min({a.x, b.x, c.x})));
  const int64_t max_x = std::min<int64_t>(frame.width - 1, FloorPixel(std::max({a.x, b.x, c.x})));
  const int64_t min_y = std::max<int64_t>(0, CeilPixel(std::min({a.y, b.y, c.y})));
  const int64_t max_y = std::min<int64_t>(frame.height - 1, FloorPixel(std::max({a.y, b.y, c.y})));
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
    return std::abs(row) + std::abs(sx) * (nx + 4) + std::abs(sy) * ny;
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

void Rasterizer::Resolve(const CameraSpaceMesh& mesh, const Camera& camera, Frame& frame) {
  const Eigen::Matrix3Xd& vertices = *mesh.vertices;
  const std::vector<Eigen::Vector3i>& triangles = *mesh.triangles;
  const bool with_normals = options_.compute_normals;
  const double inv_f = 1.0 / camera.focal;
  const double cx = camera.principal_point.x();
  const double cy = camera.principal_point.y();
  const int width = frame.width;

  // Per-triangle terms, computed the first time a triangle is seen in this frame.
  if (setup_stamp_.size() != triangles.size()) {
    setup_stamp_.assign(triangles.size(), 0);
    setups_.resize(triangles.size());
    generation_ = 0;
  }
  if (++generation_ == 0) {  // wrapped around: forget every stamp
    std::fill(setup_stamp_.begin(), setup_stamp_.end(), 0);
    generation_ = 1;
  }
  auto setup_of = [&](int32_t t) -> const TriangleSetup& {
    TriangleSetup& setup = setups_[t];
    if (setup_stamp_[t] == generation_) return setup;
    setup_stamp_[t] = generation_;
    // The ray t * d, d = ((x - cx) / f, (y - cy) / f, 1), meets v0 + b1 e1 + b2 e2 at
    //   b1 = d . (e2 x v0) / (d . n),  b2 = d . (v0 x e1) / (d . n),  n = e1 x e2
    // (Cramer's rule): exact perspective-correct barycentrics. Each dot product is affine in the
    // pixel coordinates (x, y); keep its three coefficients.
    const Eigen::Vector3i& tri = triangles[t];
    const Eigen::Vector3d v0 = vertices.col(tri[0]);
    const Eigen::Vector3d e1 = vertices.col(tri[1]) - v0;
    const Eigen::Vector3d e2 = vertices.col(tri[2]) - v0;
    const Eigen::Vector3d terms[3] = {e1.cross(e2), e2.cross(v0), v0.cross(e1)};
    for (int k = 0; k < 3; ++k) {
      const Eigen::Vector3d& w = terms[k];
      setup.affine[k][0] = w.x() * inv_f;
      setup.affine[k][1] = w.y() * inv_f;
      setup.affine[k][2] = w.z() - (w.x() * cx + w.y() * cy) * inv_f;
    }
    for (int k = 0; k < 3; ++k) {
      setup.z[k] = static_cast<float>(vertices(2, tri[k]));
      if (with_normals) {
        for (int c = 0; c < 3; ++c) {
          setup.normal[c][k] = static_cast<float>((*mesh.normals)(c, tri[k]));
        }
      }
    }
    return setup;
  };

  for (int y = std::max(drawn_min_y_, 0); y <= drawn_max_y_; ++y) {
    const size_t row = static_cast<size_t>(y) * width;
    const int32_t* ids = frame.triangle.data() + row;
    int x = 0;
    while (x < width) {
      const int32_t t = ids[x];
      if (t < 0) {
        ++x;
        continue;
      }
      int end = x + 1;
      while (end < width && ids[end] == t) ++end;
      // Along the run, step in float from the run's start, scaled so that d . n starts at 1.
      const TriangleSetup& setup = setup_of(t);
      auto at = [&](int k) {
        return setup.affine[k][0] * x + setup.affine[k][1] * y + setup.affine[k][2];
      };
      const double scale = 1.0 / at(0);
      RunSetup run;
      run.slope_dn = static_cast<float>(setup.affine[0][0] * scale);
      run.b1 = static_cast<float>(at(1) * scale);
      run.slope_b1 = static_cast<float>(setup.affine[1][0] * scale);
      run.b2 = static_cast<float>(at(2) * scale);
      run.slope_b2 = static_cast<float>(setup.affine[2][0] * scale);
      run.triangle = &setup;
      ResolveRun(run, end - x, row + x, with_normals, frame);
      x = end;
    }
  }
}

void Rasterizer::ResolveRun(const RunSetup& run, int count, size_t offset, bool with_normals,
                            Frame& frame) {
  RunTerms terms{run.slope_dn, run.b1, run.slope_b1, run.b2, run.slope_b2, {}, {}};
  std::copy(run.triangle->z, run.triangle->z + 3, terms.z);
  std::copy(&run.triangle->normal[0][0], &run.triangle->normal[0][0] + 9, &terms.n[0][0]);
  ResolveRunPlanes(terms, count, offset, with_normals, frame);
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
