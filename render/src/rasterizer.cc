#include "morphfit/render/rasterizer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include <Eigen/Geometry>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
// AVX2 code paths, compiled for AVX2 in their own functions (GCC's target pragma) and chosen at
// run time; other compilers take the SSE paths.
#define MORPHFIT_RENDER_AVX2 1
#include <immintrin.h>
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
int FloorPixel(int32_t a) { return a >> kSubpixelBits; }
int CeilPixel(int32_t a) { return -((-a) >> kSubpixelBits); }

// A triangle's bounding box in fixed point.
struct Extent {
  int32_t min_x, max_x, min_y, max_y;
  // The larger of its width and height.
  int32_t Span() const { return std::max(max_x - min_x, max_y - min_y); }
};
template <typename ScreenVertex>
inline __attribute__((always_inline)) Extent ExtentOf(const ScreenVertex& a, const ScreenVertex& b,
                                                      const ScreenVertex& c) {
  return {std::min(a.x, std::min(b.x, c.x)), std::max(a.x, std::max(b.x, c.x)),
          std::min(a.y, std::min(b.y, c.y)), std::max(a.y, std::max(b.y, c.y))};
}

// The pixel centres of a bounding box in rows row0..row1 and the image's columns.
inline Frame::Box BoxOf(const Extent& extent, int row0, int row1, int width) {
  return {std::max(0, CeilPixel(extent.min_x)), std::min(width - 1, FloorPixel(extent.max_x)),
          std::max(row0, CeilPixel(extent.min_y)), std::min(row1, FloorPixel(extent.max_y))};
}

// Rows of triangles are rasterized and resolved a band at a time, while the band's depths and ids
// stay in the (512 KB) L2 cache: bands of at most this many bytes of both planes, at least this
// many rows, and a power of two rows.
constexpr int kBandBytes = 256 * 1024;
constexpr int kMinBandRows = 16;

// Top-left rule for a positively oriented triangle in y-down pixel coordinates (clockwise on
// screen): an edge a -> b is a left edge when it goes up, a top edge when it is horizontal and
// goes right. Pixels exactly on other edges belong to the neighbouring triangle.
bool IsTopLeft(int64_t dx, int64_t dy) { return dy < 0 || (dy == 0 && dx > 0); }

// One row of a triangle's bounding box, one pixel at a time: z-test and write the pixels inside
// all three edges.
void RasterRow(int64_t w0, int64_t w1, int64_t w2, int64_t step0, int64_t step1, int64_t step2,
               float iz_start, float iz_step, int count, int32_t triangle_id,
               float* __restrict depth, int32_t* __restrict ids) {
  for (int i = 0; i < count; ++i) {
    const float iz = iz_start + iz_step * static_cast<float>(i);
    if (((w0 | w1 | w2) >= 0) && iz > depth[i]) {
      depth[i] = iz;
      ids[i] = triangle_id;
    }
    w0 += step0;
    w1 += step1;
    w2 += step2;
  }
}

// The resolve pass's terms of one triangle (Rasterizer::ResolveSetup), relative to a pixel
// (ox, oy) of the triangle and scaled so that d . n is 1 there (see Rasterizer::SetupResolve):
//   d . n = 1 + a0 dx + b0 dy,  b1 (d . n) = c1 + a1 dx + b1 dy,  b2 (d . n) = c2 + a2 dx + b2 dy
// with dx = x - ox, dy = y - oy; the ray depth is z0 / (d . n); then the vertex normals
// [corner][component].
enum ResolveTerm {
  kOx,
  kOy,
  kA0,
  kB0,
  kA1,
  kB1,
  kC1,
  kA2,
  kB2,
  kC2,
  kDepth,        // z0
  kNormal = 11,  // 3 corners x 3 components
  kNumResolveTerms = 20
};

#include "resolve_pixels.inc"  // ResolvePixels, SmallPlaneTerms

struct ScalarOps {
  using V = float;
  static float Set(float v) { return v; }
  static float Add(float a, float b) { return a + b; }
  static float Sub(float a, float b) { return a - b; }
  static float Mul(float a, float b) { return a * b; }
  static float Div(float a, float b) { return a / b; }
  static float Max(float a, float b) { return a > b ? a : b; }  // as maxps: b unless a > b
  static float Sqrt(float a) { return std::sqrt(a); }
  static float Sign(float a) { return a < 0.0F ? -1.0F : 1.0F; }
};

// Whole triangles spanning less than this (fixed point) get their resolve terms from their
// snapped screen corners (SmallPlaneTerms, exact edge functions in float), the others from their
// camera-space corners (PlaneTerms, in double). A constant, not small_triangle_pixels, so that
// the raster options never change the frame.
constexpr int32_t kScreenTermsLimit = RasterOptions::kMaxSmallTrianglePixels << kSubpixelBits;

// Writes the resolve terms kA0..kDepth of the small triangle abc, of extent ExtentOf(a, b, c)
// (SmallPlaneTerms), into `terms`, relative to the top-left pixel of its box in the image (where
// pass 1 put its kOx, kOy).
template <typename ScreenVertex>
void SetUpSmallTriangleTerms(const ScreenVertex& a, const ScreenVertex& b, const ScreenVertex& c,
                             const Extent& extent, float* terms) {
  const int32_t ox = std::max(0, CeilPixel(extent.min_x)) << kSubpixelBits;
  const int32_t oy = std::max(0, CeilPixel(extent.min_y)) << kSubpixelBits;
  const ScreenVertex* corners[3] = {&a, &b, &c};
  float x[3], y[3], iz[3];
  for (int k = 0; k < 3; ++k) {
    x[k] = static_cast<float>(corners[k]->x - ox);
    y[k] = static_cast<float>(corners[k]->y - oy);
    iz[k] = corners[k]->inverse_depth;
  }
  float out[9];
  SmallPlaneTerms<ScalarOps>(x, y, iz, out);
  for (int m = 0; m < 9; ++m) terms[kA0 + m] = out[m];
}

// The vertex normals of triangle `tri` into terms kNormal + 3 k + c, corner k's component c
// (zeros without `normals`, four floats per vertex).
void CopyVertexNormals(const float* normals, const Eigen::Vector3i& tri, float* terms) {
  for (int k = 0; k < 3; ++k) {
    for (int c = 0; c < 3; ++c) {
      terms[kNormal + 3 * k + c] = normals != nullptr ? normals[4 * tri[k] + c] : 0.0F;
    }
  }
}

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

// A half-space of camera space: inside when normal . p + offset >= 0.
struct ClipPlane {
  Eigen::Vector3d normal;
  double offset;
  double Distance(const Eigen::Vector3d& p) const { return normal.dot(p) + offset; }
};

#ifdef __SSE2__
// A triangle's three edge functions (E >= 0 inside, top-left rule applied) and inverse depth over
// rows of four-pixel blocks: their values at the first block of the first row, and their steps one
// block right and one row down. Edge functions are int32 or, for the float set-up, float bits.
struct BlockWalk {
  __m128i row[3], right[3], down[3];
  __m128 iz_row, iz_right, iz_down;
};

// Four pixels' z-test: where `inside` and nearer (larger inverse depth), writes iz and the id.
inline void DepthTest(__m128i inside, __m128 iz, __m128i id, float* depth, int32_t* ids) {
  const __m128 old = _mm_loadu_ps(depth);
  const __m128i take = _mm_and_si128(inside, _mm_castps_si128(_mm_cmpgt_ps(iz, old)));
  // No early exit when nothing is taken: the branch mispredicts, and its load waits on L2.
  const __m128 take_ps = _mm_castsi128_ps(take);
  _mm_storeu_ps(depth, _mm_or_ps(_mm_and_ps(take_ps, iz), _mm_andnot_ps(take_ps, old)));
  __m128i* id_ptr = reinterpret_cast<__m128i*>(ids);
  const __m128i old_ids = _mm_loadu_si128(id_ptr);
  _mm_storeu_si128(id_ptr, _mm_or_si128(_mm_and_si128(take, id), _mm_andnot_si128(take, old_ids)));
}

// Edge functions plus a step: int32, or float bits.
template <bool kFloatEdges>
inline __m128i AddEdges4(__m128i v, __m128i step) {
  if (kFloatEdges) {
    return _mm_castps_si128(_mm_add_ps(_mm_castsi128_ps(v), _mm_castsi128_ps(step)));
  }
  return _mm_add_epi32(v, step);
}

// Z-tests and writes the pixels inside all three edges, `blocks` blocks of `rows` rows from
// `depth_row` / `id_row`.
template <bool kFloatEdges>
void WalkBlocks(BlockWalk& walk, int rows, int blocks, int width, int32_t triangle_id,
                float* depth_row, int32_t* id_row) {
  auto add = [](__m128i v, __m128i step) { return AddEdges4<kFloatEdges>(v, step); };
  const __m128i id = _mm_set1_epi32(triangle_id), minus_one = _mm_set1_epi32(-1);
  auto block = [&](__m128i v0, __m128i v1, __m128i v2, __m128 iz, float* depth, int32_t* ids) {
    // Inside where no edge function is negative (sign bits, in int32 and float alike).
    DepthTest(_mm_cmpgt_epi32(_mm_or_si128(_mm_or_si128(v0, v1), v2), minus_one), iz, id, depth,
              ids);
  };
  auto next_row = [&] {
    for (int e = 0; e < 3; ++e) walk.row[e] = add(walk.row[e], walk.down[e]);
    walk.iz_row = _mm_add_ps(walk.iz_row, walk.iz_down);
    depth_row += width;
    id_row += width;
  };
  if (blocks == 1) {  // most triangles at small image sizes
    for (int y = 0; y < rows; ++y, next_row()) {
      block(walk.row[0], walk.row[1], walk.row[2], walk.iz_row, depth_row, id_row);
    }
    return;
  }
  for (int y = 0; y < rows; ++y, next_row()) {
    __m128i v0 = walk.row[0], v1 = walk.row[1], v2 = walk.row[2];
    __m128 iz = walk.iz_row;
    for (int k = 0; k < 4 * blocks; k += 4) {
      block(v0, v1, v2, iz, depth_row + k, id_row + k);
      v0 = add(v0, walk.right[0]);
      v1 = add(v1, walk.right[1]);
      v2 = add(v2, walk.right[2]);
      iz = _mm_add_ps(iz, walk.iz_right);
    }
  }
}

// Lane `lane` of v in all four lanes.
template <int kLane>
__m128 Broadcast(__m128 v) {
  return _mm_shuffle_ps(v, v, _MM_SHUFFLE(kLane, kLane, kLane, kLane));
}

// Set-up for triangles whose box spans less than kMaxSmallTrianglePixels (8) pixels each way (at
// 256 x 256, 93% of the SFM's drawn triangles): the three edges in three SSE lanes, in float,
// which is exact here. Relative to the first pixel visited (xs, y0), every vertex coordinate is an
// integer (1/256 pixel) below 12 * 2^8 in magnitude and every edge difference below 8 * 2^8, so
// the edge functions at all visited pixels (the box, plus at most 3 pixels on either side for the
// SSE blocks, and one step past) are integers below 2 * 2^11 * 15 * 2^8 < 2^24, as are the partial
// sums giving the area: float holds them exactly, and the coverage is the int64 path's, bit for
// bit. Inverse depth is interpolated in float, as the depth buffer holds it. False when nothing is
// to be drawn (degenerate, or culled).
template <typename ScreenVertex>
bool SetUpFloatEdges(const ScreenVertex& a, const ScreenVertex& b, const ScreenVertex& c, int xs,
                     int y0, bool cull_back_faces, BlockWalk& walk) {
  static_assert(sizeof(ScreenVertex) == 16, "a screen vertex is loaded as one SSE register");
  // Rows x, y, inverse depth of the three vertices (lane k: vertex k, lane 3: 0).
  __m128 r0 = _mm_loadu_ps(reinterpret_cast<const float*>(&a));
  __m128 r1 = _mm_loadu_ps(reinterpret_cast<const float*>(&b));
  __m128 r2 = _mm_loadu_ps(reinterpret_cast<const float*>(&c));
  __m128 r3 = _mm_setzero_ps();
  _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
  const __m128 x =
      _mm_cvtepi32_ps(_mm_sub_epi32(_mm_castps_si128(r0), _mm_set1_epi32(xs << kSubpixelBits)));
  const __m128 y =
      _mm_cvtepi32_ps(_mm_sub_epi32(_mm_castps_si128(r1), _mm_set1_epi32(y0 << kSubpixelBits)));
  const __m128 iz = r2;
  // Edge k goes from vertex k + 1 (p) to vertex k + 2 (q), as in the int64 path:
  // E_k(s) = dx_k (s.y - p.y) - dy_k (s.x - p.x), at the origin dy_k p.x - dx_k p.y.
  constexpr int kNext = _MM_SHUFFLE(3, 0, 2, 1), kAfterNext = _MM_SHUFFLE(3, 1, 0, 2);
  const __m128 px = _mm_shuffle_ps(x, x, kNext), py = _mm_shuffle_ps(y, y, kNext);
  __m128 dx = _mm_sub_ps(_mm_shuffle_ps(x, x, kAfterNext), px);
  __m128 dy = _mm_sub_ps(_mm_shuffle_ps(y, y, kAfterNext), py);
  __m128 e = _mm_sub_ps(_mm_mul_ps(dy, px), _mm_mul_ps(dx, py));
  // The three edge functions sum to the doubled signed area anywhere.
  __m128 sum = _mm_add_ps(e, _mm_movehl_ps(e, e));
  sum = _mm_add_ss(sum, _mm_shuffle_ps(sum, sum, 1));
  const float area = _mm_cvtss_f32(sum);
  // Positive area is clockwise on screen, i.e. the model's counter-clockwise front side faces
  // away from the camera.
  if (area == 0.0F || (cull_back_faces && area > 0.0F)) return false;
  // Orient positively (all three edge functions positive inside) by negating them.
  const __m128 flip = area < 0.0F ? _mm_set1_ps(-0.0F) : _mm_setzero_ps();
  e = _mm_xor_ps(e, flip);
  dx = _mm_xor_ps(dx, flip);
  dy = _mm_xor_ps(dy, flip);
  // Top-left rule: pixels on an edge that is neither left nor top are excluded.
  const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0F);
  const __m128 top_left =
      _mm_or_ps(_mm_cmplt_ps(dy, zero), _mm_and_ps(_mm_cmpeq_ps(dy, zero), _mm_cmpgt_ps(dx, zero)));
  // + 0 turns a -0 into +0, whose sign bit then says "inside".
  e = _mm_add_ps(_mm_sub_ps(e, _mm_andnot_ps(top_left, one)), zero);

  // Inverse depth is affine in screen space, with the edge functions over the area as weights:
  // lanes 0, 1, 2 of `plane` are its value at the origin and its steps right and down.
  const __m128 sx = _mm_mul_ps(dy, _mm_set1_ps(-kSubpixelScale));  // edge steps right, down
  const __m128 sy = _mm_mul_ps(dx, _mm_set1_ps(kSubpixelScale));
  __m128 w0 = _mm_mul_ps(e, iz), w1 = _mm_mul_ps(sx, iz), w2 = _mm_mul_ps(sy, iz),
         w3 = _mm_setzero_ps();
  _MM_TRANSPOSE4_PS(w0, w1, w2, w3);
  const __m128 plane =
      _mm_mul_ps(_mm_add_ps(_mm_add_ps(w0, w1), w2), _mm_set1_ps(1.0F / std::abs(area)));
  const __m128 lanes = _mm_set_ps(3, 2, 1, 0), four = _mm_set1_ps(4.0F);
  walk.iz_row = _mm_add_ps(Broadcast<0>(plane), _mm_mul_ps(Broadcast<1>(plane), lanes));
  walk.iz_right = _mm_mul_ps(Broadcast<1>(plane), four);
  walk.iz_down = Broadcast<2>(plane);
  auto set_edge = [&](int k, __m128 e_k, __m128 sx_k, __m128 sy_k) {
    walk.row[k] = _mm_castps_si128(_mm_add_ps(e_k, _mm_mul_ps(sx_k, lanes)));
    walk.right[k] = _mm_castps_si128(_mm_mul_ps(sx_k, four));
    walk.down[k] = _mm_castps_si128(sy_k);
  };
  set_edge(0, Broadcast<0>(e), Broadcast<0>(sx), Broadcast<0>(sy));
  set_edge(1, Broadcast<1>(e), Broadcast<1>(sx), Broadcast<1>(sy));
  set_edge(2, Broadcast<2>(e), Broadcast<2>(sx), Broadcast<2>(sy));
  return true;
}

// Set-up for triangles whose box spans less than kMaxMediumTrianglePixels (64) pixels each way:
// vertex differences are below 2^14 and the pixels visited (the box, plus at most 3 more on either
// side and one step past) lie within 71 pixels of every vertex, so each edge function is below
// 2 * 2^14 * 71 * 2^8 < 2^31 in magnitude and int32 is exact. Inverse depth in float, as above.
template <typename ScreenVertex>
bool SetUpInt32Edges(const ScreenVertex& a, const ScreenVertex& b_in, const ScreenVertex& c_in,
                     int xs, int y0, bool cull_back_faces, BlockWalk& walk) {
  int32_t area = (b_in.x - a.x) * (c_in.y - a.y) - (b_in.y - a.y) * (c_in.x - a.x);
  if (area == 0 || (cull_back_faces && area > 0)) return false;
  // Orient positively so that all three edge functions are positive inside.
  const bool flip = area < 0;
  const ScreenVertex& b = flip ? c_in : b_in;
  const ScreenVertex& c = flip ? b_in : c_in;
  if (flip) area = -area;
  // Edge e_k is opposite vertex k: e0 = b -> c, e1 = c -> a, e2 = a -> b.
  constexpr int32_t kOne = 1 << kSubpixelBits;
  const int32_t px = xs * kOne, py = y0 * kOne;
  const int32_t dx[3] = {c.x - b.x, a.x - c.x, b.x - a.x};
  const int32_t dy[3] = {c.y - b.y, a.y - c.y, b.y - a.y};
  const ScreenVertex* from[3] = {&b, &c, &a};
  const float iz[3] = {a.inverse_depth, b.inverse_depth, c.inverse_depth};
  float iz_start = 0.0F, iz_dx = 0.0F, iz_dy = 0.0F;
  for (int k = 0; k < 3; ++k) {
    const int32_t e =
        dx[k] * (py - from[k]->y) - dy[k] * (px - from[k]->x) - (IsTopLeft(dx[k], dy[k]) ? 0 : 1);
    const int32_t step = -dy[k] * kOne;
    walk.row[k] = _mm_set_epi32(e + 3 * step, e + 2 * step, e + step, e);
    walk.right[k] = _mm_set1_epi32(4 * step);
    walk.down[k] = _mm_set1_epi32(dx[k] * kOne);
    iz_start += static_cast<float>(e) * iz[k];
    iz_dx += static_cast<float>(step) * iz[k];
    iz_dy += static_cast<float>(dx[k] * kOne) * iz[k];
  }
  const float inv_area = 1.0F / static_cast<float>(area);
  iz_start *= inv_area;
  iz_dx *= inv_area;
  iz_dy *= inv_area;
  walk.iz_row =
      _mm_add_ps(_mm_set1_ps(iz_start), _mm_mul_ps(_mm_set1_ps(iz_dx), _mm_set_ps(3, 2, 1, 0)));
  walk.iz_right = _mm_set1_ps(4 * iz_dx);
  walk.iz_down = _mm_set1_ps(iz_dy);
  return true;
}
#endif

// Where the resolve pass reads triangle ids and writes its planes (barycentrics 0-2, depth, then
// normals 4-6 when with_normals), and the columns x0..x1 of the drawn box it visits, in blocks
// aligned to the vector width (stores that do not straddle cache lines; pixels left of x0 are
// background).
struct ResolveTarget {
  int width = 0;
  int x0 = 0, x1 = -1;
  const int32_t* triangle = nullptr;
  float* planes[7] = {};
  int num_planes = 0;
  bool with_normals = false;
};

// The resolve target of `frame` over its drawn box.
ResolveTarget MakeResolveTarget(Frame& frame, bool with_normals) {
  ResolveTarget target;
  target.width = frame.width;
  target.x0 = frame.drawn.x0;
  target.x1 = frame.drawn.x1;
  target.triangle = frame.triangle.data();
  target.with_normals = with_normals;
  target.num_planes = with_normals ? 7 : 4;
  for (int c = 0; c < 3; ++c) target.planes[c] = frame.barycentric[c].data();
  target.planes[3] = frame.depth.data();
  for (int c = 0; c < 3 && with_normals; ++c) target.planes[4 + c] = frame.normal[c].data();
  return target;
}

// Triangle t's resolve terms in the set-up array `terms`, whose entry 0 (t = -1, background) is
// all zero.
inline const float* TermsOf(const float* terms, int32_t t) {
  return terms + static_cast<size_t>(t + 1) * kNumResolveTerms;
}

#ifdef __SSE2__
// Resolves rows y0..y1 four pixels at a time: the terms of one triangle broadcast, or of four
// transposed (TermsOf; background lanes read the zero terms, and their results are not kept).
void ResolveRows(const ResolveTarget& target, int y0, int y1, const float* all_terms) {
  const int width = target.width;
  const __m128 lanes = _mm_set_ps(3, 2, 1, 0);
  for (int y = y0; y <= y1; ++y) {
    const size_t row = static_cast<size_t>(y) * width;
    const int32_t* ids = target.triangle + row;
    const __m128 yv = _mm_set1_ps(static_cast<float>(y));
    for (int x = target.x0 & ~3; x <= target.x1; x += 4) {
      // Background (all ids -1) sixteen pixels at a time.
      if (x + 16 <= target.x1 + 1) {
        const __m128i* p = reinterpret_cast<const __m128i*>(ids + x);
        const __m128i all =
            _mm_and_si128(_mm_and_si128(_mm_loadu_si128(p), _mm_loadu_si128(p + 1)),
                          _mm_and_si128(_mm_loadu_si128(p + 2), _mm_loadu_si128(p + 3)));
        if (_mm_movemask_epi8(_mm_cmpeq_epi32(all, _mm_set1_epi32(-1))) == 0xFFFF) {
          x += 12;
          continue;
        }
      }
      const int count = std::min(4, width - x);
      alignas(16) int32_t id[4] = {Frame::kNoTriangle, Frame::kNoTriangle, Frame::kNoTriangle,
                                   Frame::kNoTriangle};
      __m128i idv;
      if (count == 4) {
        idv = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ids + x));
      } else {
        std::copy(ids + x, ids + x + count, id);
        idv = _mm_load_si128(reinterpret_cast<const __m128i*>(id));
      }
      const int background = _mm_movemask_ps(_mm_castsi128_ps(idv));
      if (background == 0xF) continue;
      __m128 t[kNumResolveTerms];
      const int32_t first = _mm_cvtsi128_si32(idv);
      if (background == 0 &&
          _mm_movemask_epi8(_mm_cmpeq_epi32(idv, _mm_shuffle_epi32(idv, 0))) == 0xFFFF) {
        const float* terms = TermsOf(all_terms, first);
        for (int g = 0; g < kNumResolveTerms; g += 4) {
          const __m128 r = _mm_load_ps(terms + g);
          t[g] = _mm_shuffle_ps(r, r, 0x00);
          t[g + 1] = _mm_shuffle_ps(r, r, 0x55);
          t[g + 2] = _mm_shuffle_ps(r, r, 0xAA);
          t[g + 3] = _mm_shuffle_ps(r, r, 0xFF);
        }
      } else {
        _mm_store_si128(reinterpret_cast<__m128i*>(id), idv);
        const float* terms[4];
        for (int lane = 0; lane < 4; ++lane) terms[lane] = TermsOf(all_terms, id[lane]);
        for (int g = 0; g < kNumResolveTerms; g += 4) {
          __m128 r0 = _mm_load_ps(terms[0] + g), r1 = _mm_load_ps(terms[1] + g),
                 r2 = _mm_load_ps(terms[2] + g), r3 = _mm_load_ps(terms[3] + g);
          _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
          t[g] = r0;
          t[g + 1] = r1;
          t[g + 2] = r2;
          t[g + 3] = r3;
        }
      }
      __m128 out[7];
      ResolvePixelsInto<SseOps>(t, _mm_add_ps(_mm_set1_ps(static_cast<float>(x)), lanes), yv,
                                target.with_normals, out);
      // Background depth stays 0; the other planes are unspecified there.
      out[3] = _mm_andnot_ps(_mm_castsi128_ps(_mm_srai_epi32(idv, 31)), out[3]);
      if (count == 4) {
        for (int p = 0; p < target.num_planes; ++p) {
          _mm_storeu_ps(target.planes[p] + row + x, out[p]);
        }
      } else {
        alignas(16) float values[4];
        for (int p = 0; p < target.num_planes; ++p) {
          _mm_store_ps(values, out[p]);
          std::copy(values, values + count, target.planes[p] + row + x);
        }
      }
    }
  }
}
#else
void ResolveRows(const ResolveTarget& target, int y0, int y1, const float* all_terms) {
  for (int y = y0; y <= y1; ++y) {
    const size_t row = static_cast<size_t>(y) * target.width;
    for (int x = target.x0; x <= target.x1; ++x) {
      const int32_t id = target.triangle[row + x];
      if (id < 0) continue;
      float out[7];
      ResolvePixelsInto<ScalarOps>(TermsOf(all_terms, id), static_cast<float>(x),
                                   static_cast<float>(y), target.with_normals, out);
      for (int p = 0; p < target.num_planes; ++p) target.planes[p][row + x] = out[p];
    }
  }
}
#endif

#ifdef MORPHFIT_RENDER_AVX2
// The same resolve eight pixels at a time, compiled for AVX2 (chosen at run time) without FMA:
// the same operations on the same terms in the same order as ResolveRows above, so the same bits.
#pragma GCC push_options
#pragma GCC target("avx2")
namespace avx2 {

#include "resolve_pixels.inc"  // ResolvePixels, compiled here for AVX2

struct Ops {
  using V = __m256;
  static __m256 Set(float v) { return _mm256_set1_ps(v); }
  static __m256 Add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
  static __m256 Sub(__m256 a, __m256 b) { return _mm256_sub_ps(a, b); }
  static __m256 Mul(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
  static __m256 Div(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }
  static __m256 Max(__m256 a, __m256 b) { return _mm256_max_ps(a, b); }
  static __m256 Sqrt(__m256 a) { return _mm256_sqrt_ps(a); }
  static __m256 Sign(__m256 a) {
    return _mm256_blendv_ps(_mm256_set1_ps(1.0F), _mm256_set1_ps(-1.0F),
                            _mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_LT_OQ));
  }
};

// A 4 x 4 transpose in each 128-bit half: out[j] lane i is r[i] lane j, and out[j] lane 4 + i is
// r[i] lane 4 + j.
inline void TransposeHalves(const __m256 r[4], __m256 out[4]) {
  const __m256 lo01 = _mm256_unpacklo_ps(r[0], r[1]), lo23 = _mm256_unpacklo_ps(r[2], r[3]);
  const __m256 hi01 = _mm256_unpackhi_ps(r[0], r[1]), hi23 = _mm256_unpackhi_ps(r[2], r[3]);
  out[0] = _mm256_shuffle_ps(lo01, lo23, _MM_SHUFFLE(1, 0, 1, 0));
  out[1] = _mm256_shuffle_ps(lo01, lo23, _MM_SHUFFLE(3, 2, 3, 2));
  out[2] = _mm256_shuffle_ps(hi01, hi23, _MM_SHUFFLE(1, 0, 1, 0));
  out[3] = _mm256_shuffle_ps(hi01, hi23, _MM_SHUFFLE(3, 2, 3, 2));
}

// Floats g..g+3 of eight rows, float g + j of row k in out[j] lane k.
inline void TransposeRows(const float* const rows[8], int g, __m256 out[4]) {
  __m256 r[4];
  for (int k = 0; k < 4; ++k) {
    r[k] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(rows[k] + g)),
                                _mm_loadu_ps(rows[k + 4] + g), 1);
  }
  TransposeHalves(r, out);
}

// Two blocks of eight pixels side by side: ResolvePixels on a pair runs the two blocks' long
// chains of dependent operations (two divisions and a square root deep) interleaved, which the
// out-of-order window does not do for blocks ~300 instructions apart (README, issue 3, for the
// time it saved). Each lane still sees the same operations in the same order. (Three blocks at a
// time ran out of registers and were slower.)
struct Pair {
  __m256 a, b;
};
struct PairOps {
  using V = Pair;
  static Pair Set(float v) { return {_mm256_set1_ps(v), _mm256_set1_ps(v)}; }
  static Pair Add(Pair p, Pair q) { return {_mm256_add_ps(p.a, q.a), _mm256_add_ps(p.b, q.b)}; }
  static Pair Sub(Pair p, Pair q) { return {_mm256_sub_ps(p.a, q.a), _mm256_sub_ps(p.b, q.b)}; }
  static Pair Mul(Pair p, Pair q) { return {_mm256_mul_ps(p.a, q.a), _mm256_mul_ps(p.b, q.b)}; }
  static Pair Div(Pair p, Pair q) { return {_mm256_div_ps(p.a, q.a), _mm256_div_ps(p.b, q.b)}; }
  static Pair Max(Pair p, Pair q) { return {_mm256_max_ps(p.a, q.a), _mm256_max_ps(p.b, q.b)}; }
  static Pair Sqrt(Pair p) { return {_mm256_sqrt_ps(p.a), _mm256_sqrt_ps(p.b)}; }
};

// A block of eight pixels waiting to be resolved with the next one.
struct PendingBlock {
  size_t at = 0;  // index of its first pixel
  int count = 0;  // pixels of it inside the row
  __m256i ids;
  float x = 0, y = 0;
};

// Depth 0 in the background lanes (ids -1) of a block.
inline __m256 MaskBackgroundDepth(__m256i ids, __m256 depth) {
  return _mm256_andnot_ps(_mm256_castsi256_ps(_mm256_srai_epi32(ids, 31)), depth);
}

// Writes the block's lanes of out[0], out[stride], ... (the depth masked to 0 on background) to
// the planes: all seven, or without normals the first four.
template <bool kWithNormals>
inline void StoreBlock(const ResolveTarget& target, const PendingBlock& block, __m256* out,
                       int stride) {
  constexpr int kPlanes = kWithNormals ? 7 : 4;
  out[3 * stride] = MaskBackgroundDepth(block.ids, out[3 * stride]);
  if (block.count == 8) {
    for (int p = 0; p < kPlanes; ++p) {
      _mm256_storeu_ps(target.planes[p] + block.at, out[p * stride]);
    }
  } else {
    alignas(32) float values[8];
    for (int p = 0; p < kPlanes; ++p) {
      _mm256_store_ps(values, out[p * stride]);
      std::copy(values, values + block.count, target.planes[p] + block.at);
    }
  }
}

// The AVX2 resolve of rows y0..y1: as the SSE one, terms from TermsOf(terms, t).
template <bool kWithNormals>
void ResolveRows(const ResolveTarget& target, int y0, int y1, const float* terms) {
  const int width = target.width;
  const __m256 lanes = _mm256_set_ps(7, 6, 5, 4, 3, 2, 1, 0);
  const __m256i minus_one = _mm256_set1_epi32(-1);
  // The first block of a pair waits, its terms in lane group a, for the second one (b).
  Pair t[kNumResolveTerms];
  PendingBlock first_block;
  bool waiting = false;
  for (int y = y0; y <= y1; ++y) {
    const size_t row = static_cast<size_t>(y) * width;
    const int32_t* ids = target.triangle + row;
    for (int x = target.x0 & ~7; x <= target.x1; x += 8) {
      // Background (all ids -1) sixteen pixels at a time.
      if (x + 16 <= target.x1 + 1) {
        const __m256i* p = reinterpret_cast<const __m256i*>(ids + x);
        if (_mm256_testc_si256(_mm256_and_si256(_mm256_loadu_si256(p), _mm256_loadu_si256(p + 1)),
                               minus_one)) {
          x += 8;
          continue;
        }
      }
      const int count = std::min(8, width - x);
      alignas(32) int32_t id[8];
      __m256i idv;
      if (count == 8) {
        idv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ids + x));
      } else {
        std::fill(id, id + 8, Frame::kNoTriangle);
        std::copy(ids + x, ids + x + count, id);
        idv = _mm256_load_si256(reinterpret_cast<const __m256i*>(id));
      }
      const int background = _mm256_movemask_ps(_mm256_castsi256_ps(idv));
      if (background == 0xFF) continue;
      // This block's terms go to lane group a of the pair, or b when a block is waiting there.
      static_assert(sizeof(Pair) == 2 * sizeof(__m256), "a pair is two registers, a then b");
      __m256* slot = reinterpret_cast<__m256*>(t) + (waiting ? 1 : 0);
      const int32_t first = _mm_cvtsi128_si32(_mm256_castsi256_si128(idv));
      if (background == 0 &&
          _mm256_movemask_epi8(_mm256_cmpeq_epi32(idv, _mm256_set1_epi32(first))) == -1) {
        const float* own = TermsOf(terms, first);
        // Unrolled: as a loop, 20 turns of six instructions were 4% of a 1024 x 1024 frame's
        // instructions.
#pragma GCC unroll 20
        for (int g = 0; g < kNumResolveTerms; ++g) slot[2 * g] = _mm256_broadcast_ss(own + g);
      } else {
        // TermsOf eight at a time: (id + 1) * 20 floats, background (-1) at the zero terms.
        static_assert(kNumResolveTerms == 20, "offsets are (id + 1) * (16 + 4)");
        const __m256i index = _mm256_sub_epi32(idv, minus_one);
        alignas(32) int32_t offset[8];
        _mm256_store_si256(
            reinterpret_cast<__m256i*>(offset),
            _mm256_add_epi32(_mm256_slli_epi32(index, 4), _mm256_slli_epi32(index, 2)));
        const float* rows[8];
        for (int lane = 0; lane < 8; ++lane) rows[lane] = terms + offset[lane];
        for (int g = 0; g < kNumResolveTerms; g += 4) {
          __m256 columns[4];
          TransposeRows(rows, g, columns);
          for (int j = 0; j < 4; ++j) slot[2 * (g + j)] = columns[j];
        }
      }
      const PendingBlock block = {row + x, count, idv, static_cast<float>(x),
                                  static_cast<float>(y)};
      if (!waiting) {
        first_block = block;
        waiting = true;
        continue;
      }
      const Pair pair_x = {_mm256_add_ps(_mm256_set1_ps(first_block.x), lanes),
                           _mm256_add_ps(_mm256_set1_ps(block.x), lanes)};
      const Pair pair_y = {_mm256_set1_ps(first_block.y), _mm256_set1_ps(block.y)};
      if (first_block.count == 8 && block.count == 8) {
        // Stored as each plane is final: holding all fourteen registers spilled them.
        ResolvePixels<PairOps>(t, pair_x, pair_y, kWithNormals, [&](int plane, Pair values) {
          if (plane == 3) {
            values = {MaskBackgroundDepth(first_block.ids, values.a),
                      MaskBackgroundDepth(block.ids, values.b)};
          }
          _mm256_storeu_ps(target.planes[plane] + first_block.at, values.a);
          _mm256_storeu_ps(target.planes[plane] + block.at, values.b);
        });
      } else {
        Pair out[7];
        ResolvePixelsInto<PairOps>(t, pair_x, pair_y, kWithNormals, out);
        __m256* lanes_of = reinterpret_cast<__m256*>(out);
        StoreBlock<kWithNormals>(target, first_block, lanes_of, 2);
        StoreBlock<kWithNormals>(target, block, lanes_of + 1, 2);
      }
      waiting = false;
    }
  }
  if (waiting) {
    __m256 single[kNumResolveTerms], out[7];
    for (int g = 0; g < kNumResolveTerms; ++g) single[g] = t[g].a;
    ResolvePixelsInto<Ops>(single, _mm256_add_ps(_mm256_set1_ps(first_block.x), lanes),
                           _mm256_set1_ps(first_block.y), kWithNormals, out);
    StoreBlock<kWithNormals>(target, first_block, out, 1);
  }
}

// Where a band's small triangles are drawn: rows row0..row1 of the depth and id planes.
struct BandTarget {
  int width = 0;
  int row0 = 0, row1 = -1;
  bool cull_back_faces = false;
  float* depth = nullptr;
  int32_t* ids = nullptr;
  // Resolve terms: triangle t's at resolve_terms + (t + 1) * kNumResolveTerms.
  float* resolve_terms = nullptr;
  const float* normals = nullptr;  // the vertex normals, four floats each, or none
};

// (Lambdas returning vectors would not be compiled for AVX2 where a template is instantiated.)
inline __m256i Min3(__m256i a, __m256i b, __m256i c) {
  return _mm256_min_epi32(a, _mm256_min_epi32(b, c));
}
inline __m256i Max3(__m256i a, __m256i b, __m256i c) {
  return _mm256_max_epi32(a, _mm256_max_epi32(b, c));
}
// CeilPixel of each lane.
inline __m256i CeilPixels(__m256i a) {
  const __m256i zero = _mm256_setzero_si256();
  return _mm256_sub_epi32(zero, _mm256_srai_epi32(_mm256_sub_epi32(zero, a), kSubpixelBits));
}
// The vertex values iz weighted by w over the area, summed in SetUpFloatEdges's order.
inline __m256 Weigh(const __m256 w[3], const __m256 iz[3], __m256 inv_area) {
  return _mm256_mul_ps(
      _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(w[0], iz[0]), _mm256_mul_ps(w[1], iz[1])),
                    _mm256_mul_ps(w[2], iz[2])),
      inv_area);
}

// AddEdges4 eight wide.
template <bool kFloatEdges>
inline __m256i AddEdges(__m256i v, __m256i step) {
  if (kFloatEdges) {
    return _mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(v), _mm256_castsi256_ps(step)));
  }
  return _mm256_add_epi32(v, step);
}

// WalkBlocks for a triangle two or more blocks wide, eight pixels at a time, with the same bits:
// the edge functions are exact (int32, or integers in float that are never -0) and step eight
// pixels at once, while inverse depth is added block by block in WalkBlocks's order (each block's
// from the one left of it, each row's first from the row above). A pixel is taken where no edge
// function has its sign bit set and iz beats the depth, as in DepthTest.
template <bool kFloatEdges>
void WalkBlocks8(BlockWalk& walk, int rows, int blocks, int width, int32_t triangle_id,
                 float* depth_row, int32_t* id_row) {
  __m256i e8[3], right8[3], down8[3];
  for (int k = 0; k < 3; ++k) {
    e8[k] = _mm256_set_m128i(AddEdges4<kFloatEdges>(walk.row[k], walk.right[k]), walk.row[k]);
    const __m128i two_right = AddEdges4<kFloatEdges>(walk.right[k], walk.right[k]);
    right8[k] = _mm256_set_m128i(two_right, two_right);
    down8[k] = _mm256_set_m128i(walk.down[k], walk.down[k]);
  }
  const __m256 id8 = _mm256_castsi256_ps(_mm256_set1_epi32(triangle_id));
  const __m128i id4 = _mm_set1_epi32(triangle_id), minus_one = _mm_set1_epi32(-1);
  const int pairs = blocks / 2;
  for (int y = 0; y < rows; ++y, depth_row += width, id_row += width) {
    __m256i v0 = e8[0], v1 = e8[1], v2 = e8[2];
    __m128 iz_block = walk.iz_row;
    int x = 0;
    for (int p = 0; p < pairs; ++p, x += 8) {
      const __m128 iz_next = _mm_add_ps(iz_block, walk.iz_right);
      const __m256 iz = _mm256_set_m128(iz_next, iz_block);
      iz_block = _mm_add_ps(iz_next, walk.iz_right);
      const __m256 old = _mm256_loadu_ps(depth_row + x);
      const __m256 outside = _mm256_castsi256_ps(_mm256_or_si256(_mm256_or_si256(v0, v1), v2));
      const __m256 take = _mm256_andnot_ps(outside, _mm256_cmp_ps(iz, old, _CMP_GT_OQ));
      _mm256_storeu_ps(depth_row + x, _mm256_blendv_ps(old, iz, take));
      float* t = reinterpret_cast<float*>(id_row + x);
      _mm256_storeu_ps(t, _mm256_blendv_ps(_mm256_loadu_ps(t), id8, take));
      v0 = AddEdges<kFloatEdges>(v0, right8[0]);
      v1 = AddEdges<kFloatEdges>(v1, right8[1]);
      v2 = AddEdges<kFloatEdges>(v2, right8[2]);
    }
    if (blocks & 1) {
      const __m128i outside =
          _mm_or_si128(_mm_or_si128(_mm256_castsi256_si128(v0), _mm256_castsi256_si128(v1)),
                       _mm256_castsi256_si128(v2));
      DepthTest(_mm_cmpgt_epi32(outside, minus_one), iz_block, id4, depth_row + x, id_row + x);
    }
    for (int k = 0; k < 3; ++k) e8[k] = AddEdges<kFloatEdges>(e8[k], down8[k]);
    walk.iz_row = _mm_add_ps(walk.iz_row, walk.iz_down);
  }
}

// A small triangle's three edge functions (float, exact) and inverse depth (values 0-2 and 3):
// at the four pixels of its first block, and their steps one block right and one row down.
struct SmallWalk {
  __m128 row[4], right[4], down[4];
};

// WalkBlocks<true> for a small triangle's 1 to 3 blocks, eight pixels at a time where it can, with
// the same bits: the edge functions are exact integers and never -0 (they start as e + 0, and a
// sum is -0 only of two -0), so they may be added in any order, and inverse depth is added in
// WalkBlocks's order (a block's from the row's first block, a row's from the row above). A pixel
// is taken where no edge function has its sign bit set and iz beats the depth, as in DepthTest:
// blendv selects on the sign bit of (inside & nearer).
inline void WalkSmall(SmallWalk& walk, int rows, int blocks, int width, int32_t triangle_id,
                      float* depth, int32_t* ids) {
  const __m128i id4 = _mm_set1_epi32(triangle_id);
  auto block4 = [&](__m128 e0, __m128 e1, __m128 e2, __m128 iz, float* d, int32_t* t) {
    const __m128 old = _mm_loadu_ps(d);
    const __m128 take = _mm_andnot_ps(_mm_or_ps(_mm_or_ps(e0, e1), e2), _mm_cmpgt_ps(iz, old));
    _mm_storeu_ps(d, _mm_blendv_ps(old, iz, take));
    __m128i* t_ptr = reinterpret_cast<__m128i*>(t);
    _mm_storeu_si128(t_ptr, _mm_castps_si128(_mm_blendv_ps(_mm_castsi128_ps(_mm_loadu_si128(t_ptr)),
                                                           _mm_castsi128_ps(id4), take)));
  };
  if (blocks == 1) {
    for (int y = 0; y < rows; ++y, depth += width, ids += width) {
      block4(walk.row[0], walk.row[1], walk.row[2], walk.row[3], depth, ids);
      for (int v = 0; v < 4; ++v) walk.row[v] = _mm_add_ps(walk.row[v], walk.down[v]);
    }
    return;
  }
  const __m256 id8 = _mm256_castsi256_ps(_mm256_set1_epi32(triangle_id));
  __m256 e8[3], down8[3];
  for (int v = 0; v < 3; ++v) {
    e8[v] = _mm256_set_m128(_mm_add_ps(walk.row[v], walk.right[v]), walk.row[v]);
    down8[v] = _mm256_set_m128(walk.down[v], walk.down[v]);
  }
  for (int y = 0; y < rows; ++y, depth += width, ids += width) {
    const __m128 iz_right = _mm_add_ps(walk.row[3], walk.right[3]);
    const __m256 iz = _mm256_set_m128(iz_right, walk.row[3]);
    const __m256 old = _mm256_loadu_ps(depth);
    const __m256 take = _mm256_andnot_ps(_mm256_or_ps(_mm256_or_ps(e8[0], e8[1]), e8[2]),
                                         _mm256_cmp_ps(iz, old, _CMP_GT_OQ));
    _mm256_storeu_ps(depth, _mm256_blendv_ps(old, iz, take));
    float* t = reinterpret_cast<float*>(ids);
    _mm256_storeu_ps(t, _mm256_blendv_ps(_mm256_loadu_ps(t), id8, take));
    if (blocks == 3) {
      auto third = [&](int v) {
        return _mm_add_ps(_mm256_extractf128_ps(e8[v], 1), walk.right[v]);
      };
      block4(third(0), third(1), third(2), _mm_add_ps(iz_right, walk.right[3]), depth + 8, ids + 8);
    }
    for (int v = 0; v < 3; ++v) e8[v] = _mm256_add_ps(e8[v], down8[v]);
    walk.row[3] = _mm_add_ps(walk.row[3], walk.down[3]);
  }
}

// The vertex normals of triangle `tri` into terms kNormal + 3 k + c (zeros without `normals`,
// four floats per vertex): three four-float stores, the last one shifted back by one float (it
// rewrites corner 1's z) so as to end at the last term.
inline void StoreCornerNormals(const float* normals, const Eigen::Vector3i& tri, float* terms) {
  static_assert(kNormal + 9 == kNumResolveTerms, "the normals are the last terms");
  __m128 n[3];
  for (int k = 0; k < 3; ++k) {
    n[k] = normals != nullptr ? _mm_loadu_ps(normals + 4 * static_cast<size_t>(tri[k]))
                              : _mm_setzero_ps();
  }
  _mm_storeu_ps(terms + kNormal, n[0]);
  _mm_storeu_ps(terms + kNormal + 3, n[1]);
  // (z1, x2, y2, z2) from n[1] = (x1, y1, z1, 0) and n[2] = (x2, y2, z2, 0).
  const __m128 z1_x2 = _mm_shuffle_ps(n[1], n[2], _MM_SHUFFLE(0, 0, 2, 2));  // z1 z1 x2 x2
  _mm_storeu_ps(terms + kNormal + 5, _mm_shuffle_ps(z1_x2, n[2], _MM_SHUFFLE(2, 1, 2, 0)));
}

// A transpose of eight rows of eight floats: out[j] lane i = r[i] lane j.
inline void Transpose8(const __m256 r[8], __m256 out[8]) {
  __m256 u[8];
  for (int h = 0; h < 2; ++h) {
    const __m256* q = r + 4 * h;
    const __m256 t0 = _mm256_unpacklo_ps(q[0], q[1]), t1 = _mm256_unpackhi_ps(q[0], q[1]);
    const __m256 t2 = _mm256_unpacklo_ps(q[2], q[3]), t3 = _mm256_unpackhi_ps(q[2], q[3]);
    u[4 * h] = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * h + 1] = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    u[4 * h + 2] = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * h + 3] = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int j = 0; j < 4; ++j) {
    out[j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x20);
    out[4 + j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x31);
  }
}

// SetUpSmallTriangleTerms and the vertex normals for the first `count` of eight small triangles
// (lanes of their corners vx, vy in fixed point and iz; x0 the first column of their boxes in the
// image), into their resolve terms.
inline void SetUpSmallTerms(const __m256i vx[3], const __m256i vy[3], const __m256 iz[3],
                            __m256i x0, const Eigen::Vector3i* triangles, const int32_t* batch,
                            int count, const BandTarget& target) {
  const __m256i ox = _mm256_slli_epi32(x0, kSubpixelBits);
  const __m256i oy = _mm256_slli_epi32(
      _mm256_max_epi32(_mm256_setzero_si256(), CeilPixels(Min3(vy[0], vy[1], vy[2]))),
      kSubpixelBits);
  __m256 x[3], y[3];
  for (int k = 0; k < 3; ++k) {
    x[k] = _mm256_cvtepi32_ps(_mm256_sub_epi32(vx[k], ox));
    y[k] = _mm256_cvtepi32_ps(_mm256_sub_epi32(vy[k], oy));
  }
  __m256 terms[9];
  SmallPlaneTerms<Ops>(x, y, iz, terms);
  __m256 rows[8];
  Transpose8(terms, rows);  // kA0..kC2 of triangle j in rows[j]
  alignas(32) float depth[8];
  _mm256_store_ps(depth, terms[8]);
  static_assert(kDepth == kA0 + 8, "eight terms and the depth");
  for (int j = 0; j < count; ++j) {
    float* own = target.resolve_terms + static_cast<size_t>(batch[j] + 1) * kNumResolveTerms;
    _mm256_storeu_ps(own + kA0, rows[j]);
    own[kDepth] = depth[j];
    StoreCornerNormals(target.normals, triangles[batch[j]], own);
  }
}

// Rasterizes `count` (1 to 8) small triangles (spanning less than kMaxSmallTrianglePixels each
// way), batch[j] indexing `triangles`, in their order: SetUpFloatEdges's set-up for the eight at
// once (lane = triangle) with the same float operations in the same order per lane, then each one's
// walk. A triangle whose blocks do not fit in the image's width goes to fallback(t) in its turn.
template <typename ScreenVertex, typename Fallback>
void RasterizeSmallTriangles(const Eigen::Vector3i* triangles, const ScreenVertex* screen,
                             const int32_t* batch, int count, const BandTarget& target,
                             Fallback& fallback) {
  static_assert(sizeof(ScreenVertex) == 16, "a screen vertex is one row of four floats");
  // x, y, inverse depth of corner k of the eight triangles (the last one repeated past count).
  __m256i vx[3], vy[3];
  __m256 iz[3];
  for (int k = 0; k < 3; ++k) {
    const float* rows[8];
    for (int j = 0; j < 8; ++j) {
      rows[j] =
          reinterpret_cast<const float*>(&screen[triangles[batch[std::min(j, count - 1)]][k]]);
    }
    __m256 columns[4];
    TransposeRows(rows, 0, columns);
    vx[k] = _mm256_castps_si256(columns[0]);
    vy[k] = _mm256_castps_si256(columns[1]);
    iz[k] = columns[2];
  }
  // The box in the band, and the four-pixel blocks from xs, as RasterizeTriangle computes them.
  const __m256i zero_i = _mm256_setzero_si256();
  const __m256i width = _mm256_set1_epi32(target.width);
  const __m256i x0 = _mm256_max_epi32(zero_i, CeilPixels(Min3(vx[0], vx[1], vx[2])));
  const __m256i x1 = _mm256_min_epi32(_mm256_set1_epi32(target.width - 1),
                                      _mm256_srai_epi32(Max3(vx[0], vx[1], vx[2]), kSubpixelBits));
  const __m256i y0 =
      _mm256_max_epi32(_mm256_set1_epi32(target.row0), CeilPixels(Min3(vy[0], vy[1], vy[2])));
  const __m256i y1 = _mm256_min_epi32(_mm256_set1_epi32(target.row1),
                                      _mm256_srai_epi32(Max3(vy[0], vy[1], vy[2]), kSubpixelBits));
  const __m256i empty = _mm256_or_si256(_mm256_cmpgt_epi32(x0, x1), _mm256_cmpgt_epi32(y0, y1));
  SetUpSmallTerms(vx, vy, iz, x0, triangles, batch, count, target);
  const __m256i four_i = _mm256_set1_epi32(4);
  __m256i xs = _mm256_andnot_si256(_mm256_set1_epi32(3), x0);
  __m256i blocks = _mm256_srai_epi32(_mm256_add_epi32(_mm256_sub_epi32(x1, xs), four_i), 2);
  const __m256i at_border =
      _mm256_cmpgt_epi32(_mm256_add_epi32(xs, _mm256_slli_epi32(blocks, 2)), width);
  const __m256i border_blocks =
      _mm256_srai_epi32(_mm256_add_epi32(_mm256_sub_epi32(x1, x0), four_i), 2);
  blocks = _mm256_blendv_epi8(blocks, border_blocks, at_border);
  xs = _mm256_blendv_epi8(xs, _mm256_sub_epi32(width, _mm256_slli_epi32(border_blocks, 2)),
                          at_border);
  const __m256i too_narrow = _mm256_andnot_si256(empty, _mm256_cmpgt_epi32(zero_i, xs));

  // The edges relative to (xs, y0), exact in float (see SetUpFloatEdges). Edge k goes from corner
  // k + 1 (p) to corner k + 2 (q): E_k = dy_k p.x - dx_k p.y at the origin.
  __m256 x[3], y[3];
  for (int k = 0; k < 3; ++k) {
    x[k] = _mm256_cvtepi32_ps(_mm256_sub_epi32(vx[k], _mm256_slli_epi32(xs, kSubpixelBits)));
    y[k] = _mm256_cvtepi32_ps(_mm256_sub_epi32(vy[k], _mm256_slli_epi32(y0, kSubpixelBits)));
  }
  __m256 dx[3], dy[3], e[3];
  for (int k = 0; k < 3; ++k) {
    const int p = (k + 1) % 3, q = (k + 2) % 3;
    dx[k] = _mm256_sub_ps(x[q], x[p]);
    dy[k] = _mm256_sub_ps(y[q], y[p]);
    e[k] = _mm256_sub_ps(_mm256_mul_ps(dy[k], x[p]), _mm256_mul_ps(dx[k], y[p]));
  }
  // The doubled signed area, summed as SetUpFloatEdges does (exact integers: only the sign of a
  // zero could differ, and a zero area is not drawn).
  const __m256 area = _mm256_add_ps(_mm256_add_ps(e[0], e[2]), e[1]);
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0F);
  __m256 skip = _mm256_cmp_ps(area, zero, _CMP_EQ_OQ);
  if (target.cull_back_faces) skip = _mm256_or_ps(skip, _mm256_cmp_ps(area, zero, _CMP_GT_OQ));
  const __m256 sign = _mm256_set1_ps(-0.0F);
  const __m256 flip = _mm256_and_ps(_mm256_cmp_ps(area, zero, _CMP_LT_OQ), sign);
  const __m256 inv_area = _mm256_div_ps(one, _mm256_andnot_ps(sign, area));
  __m256 sx[3], sy[3];
  for (int k = 0; k < 3; ++k) {
    e[k] = _mm256_xor_ps(e[k], flip);
    dx[k] = _mm256_xor_ps(dx[k], flip);
    dy[k] = _mm256_xor_ps(dy[k], flip);
    const __m256 top_left = _mm256_or_ps(_mm256_cmp_ps(dy[k], zero, _CMP_LT_OQ),
                                         _mm256_and_ps(_mm256_cmp_ps(dy[k], zero, _CMP_EQ_OQ),
                                                       _mm256_cmp_ps(dx[k], zero, _CMP_GT_OQ)));
    e[k] = _mm256_add_ps(_mm256_sub_ps(e[k], _mm256_andnot_ps(top_left, one)), zero);
    sx[k] = _mm256_mul_ps(dy[k], _mm256_set1_ps(-kSubpixelScale));
    sy[k] = _mm256_mul_ps(dx[k], _mm256_set1_ps(kSubpixelScale));
  }
  // Values 0-2 the edge functions, 3 the inverse depth: at the first row's four pixels (per
  // triangle, after the transpose), and their steps one block right and one row down.
  const __m256 start[4] = {e[0], e[1], e[2], Weigh(e, iz, inv_area)};
  const __m256 step[4] = {sx[0], sx[1], sx[2], Weigh(sx, iz, inv_area)};
  const __m256 down[4] = {sy[0], sy[1], sy[2], Weigh(sy, iz, inv_area)};
  alignas(32) float first_row[4][4][8], right[4][8], below[4][8];
  for (int v = 0; v < 4; ++v) {
    __m256 pixels[4];
    for (int m = 0; m < 4; ++m) {
      pixels[m] =
          _mm256_add_ps(start[v], _mm256_mul_ps(step[v], _mm256_set1_ps(static_cast<float>(m))));
    }
    __m256 by_triangle[4];
    TransposeHalves(pixels, by_triangle);
    for (int j = 0; j < 4; ++j) _mm256_store_ps(first_row[v][j], by_triangle[j]);
    _mm256_store_ps(right[v], _mm256_mul_ps(step[v], _mm256_set1_ps(4.0F)));
    _mm256_store_ps(below[v], down[v]);
  }
  alignas(32) int32_t first_x[8], first_y[8], rows[8], num_blocks[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(first_x), xs);
  _mm256_store_si256(reinterpret_cast<__m256i*>(first_y), y0);
  _mm256_store_si256(reinterpret_cast<__m256i*>(rows),
                     _mm256_add_epi32(_mm256_sub_epi32(y1, y0), _mm256_set1_epi32(1)));
  _mm256_store_si256(reinterpret_cast<__m256i*>(num_blocks), blocks);
  const int fallback_lanes = _mm256_movemask_ps(_mm256_castsi256_ps(too_narrow));
  const int skipped_lanes = _mm256_movemask_ps(
      _mm256_or_ps(skip, _mm256_castsi256_ps(_mm256_or_si256(empty, too_narrow))));
  for (int j = 0; j < count; ++j) {
    if ((fallback_lanes >> j) & 1) {
      fallback(batch[j]);
      continue;
    }
    if ((skipped_lanes >> j) & 1) continue;
    // Triangle j's first row is in the low or high half of by_triangle[j % 4].
    const int half = 4 * (j >> 2);
    SmallWalk walk;
    for (int v = 0; v < 4; ++v) {
      walk.row[v] = _mm_load_ps(&first_row[v][j & 3][half]);
      walk.right[v] = _mm_broadcast_ss(&right[v][j]);
      walk.down[v] = _mm_broadcast_ss(&below[v][j]);
    }
    const size_t offset = static_cast<size_t>(first_y[j]) * target.width + first_x[j];
    WalkSmall(walk, rows[j], num_blocks[j], target.width, batch[j], target.depth + offset,
              target.ids + offset);
  }
}

// Four doubles with the arithmetic operators PlaneTerms uses.
struct D4 {
  __m256d v;
  D4() = default;
  D4(__m256d value) : v(value) {}                 // NOLINT: implicit on purpose
  D4(double value) : v(_mm256_set1_pd(value)) {}  // NOLINT
};
inline D4 operator+(D4 a, D4 b) { return _mm256_add_pd(a.v, b.v); }
inline D4 operator-(D4 a, D4 b) { return _mm256_sub_pd(a.v, b.v); }
inline D4 operator*(D4 a, D4 b) { return _mm256_mul_pd(a.v, b.v); }
inline D4 operator/(D4 a, D4 b) { return _mm256_div_pd(a.v, b.v); }

// Row k of 4 x 4 doubles (rows r[0..3]) in lanes: out[j] lane k = r[k] lane j, for j < 3.
inline void TransposeXyz(const __m256d r[4], __m256d out[3]) {
  const __m256d xz01 = _mm256_unpacklo_pd(r[0], r[1]), xz23 = _mm256_unpacklo_pd(r[2], r[3]);
  const __m256d yw01 = _mm256_unpackhi_pd(r[0], r[1]), yw23 = _mm256_unpackhi_pd(r[2], r[3]);
  out[0] = _mm256_permute2f128_pd(xz01, xz23, 0x20);
  out[1] = _mm256_permute2f128_pd(yw01, yw23, 0x20);
  out[2] = _mm256_permute2f128_pd(xz01, xz23, 0x31);
}

// PlaneTerms of the listed triangles four at a time, into terms kA0..kDepth of terms_of(t),
// whose kOx, kOy hold its pixel, and the vertex normals (four floats each; zeros without them)
// into kNormal...; returns how many it did (a multiple of four, the rest left to the caller).
template <typename TermsOf>
size_t SetUpPlaneTerms(const Eigen::Matrix3Xd& vertices, const float* normals,
                       const std::vector<Eigen::Vector3i>& triangles, const int32_t* list,
                       size_t size, double cx, double cy, double focal, TermsOf& terms_of) {
  static_assert(kA0 == 2 && kDepth == 10 && kNormal == 11 && kNumResolveTerms == 20,
                "the stores below follow the term layout");
  // A column of a 3 x N matrix of doubles as four lanes, the fourth zero (never read past it).
  const __m256i xyz = _mm256_set_epi64x(0, -1, -1, -1);
  auto column = [&xyz](const Eigen::Matrix3Xd& m, int j) {
    return _mm256_maskload_pd(m.data() + 3 * static_cast<size_t>(j), xyz);
  };
  size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    const int32_t t[4] = {list[i], list[i + 1], list[i + 2], list[i + 3]};
    const Eigen::Vector3i* tri[4] = {&triangles[t[0]], &triangles[t[1]], &triangles[t[2]],
                                     &triangles[t[3]]};
    float* terms[4] = {terms_of(t[0]), terms_of(t[1]), terms_of(t[2]), terms_of(t[3])};
    D4 p[3][3];
    for (int k = 0; k < 3; ++k) {
      const __m256d rows[4] = {column(vertices, (*tri[0])[k]), column(vertices, (*tri[1])[k]),
                               column(vertices, (*tri[2])[k]), column(vertices, (*tri[3])[k])};
      __m256d lanes[3];
      TransposeXyz(rows, lanes);
      for (int c = 0; c < 3; ++c) p[k][c] = lanes[c];
    }
    // The origins (kOx, kOy are adjacent) of the four, in lanes.
    const __m128 o01 =
        _mm_loadh_pi(_mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(terms[0] + kOx)),
                     reinterpret_cast<const __m64*>(terms[1] + kOx));
    const __m128 o23 =
        _mm_loadh_pi(_mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(terms[2] + kOx)),
                     reinterpret_cast<const __m64*>(terms[3] + kOx));
    const __m128 ox = _mm_shuffle_ps(o01, o23, _MM_SHUFFLE(2, 0, 2, 0));
    const __m128 oy = _mm_shuffle_ps(o01, o23, _MM_SHUFFLE(3, 1, 3, 1));
    const D4 ray[3] = {D4(_mm256_cvtps_pd(ox)) - D4(cx), D4(_mm256_cvtps_pd(oy)) - D4(cy),
                       D4(focal)};
    D4 out[9];
    PlaneTerms(p[0], p[1], p[2], ray, out);
    // Terms kA0..kA0 + 7 of triangle j are lane j of out[0..7]: two 4 x 4 transposes.
    __m128 m[8];
    for (int q = 0; q < 8; ++q) m[q] = _mm256_cvtpd_ps(out[q].v);
    _MM_TRANSPOSE4_PS(m[0], m[1], m[2], m[3]);
    _MM_TRANSPOSE4_PS(m[4], m[5], m[6], m[7]);
    alignas(16) float depth[4];
    _mm_store_ps(depth, _mm256_cvtpd_ps(out[8].v));
    for (int j = 0; j < 4; ++j) {
      _mm_storeu_ps(terms[j] + kA0, m[j]);
      _mm_storeu_ps(terms[j] + kA0 + 4, m[4 + j]);
      terms[j][kDepth] = depth[j];
    }
    for (int j = 0; j < 4; ++j) StoreCornerNormals(normals, *tri[j], terms[j]);
  }
  return i;
}

// std::llround of each lane (halves away from zero), for values within int32.
inline __m128i RoundToInt32(__m256d v) {
  // v minus its integer part toward zero is exact.
  const __m256d truncated = _mm256_round_pd(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256d away = _mm256_cmp_pd(_mm256_andnot_pd(sign, _mm256_sub_pd(v, truncated)),
                                     _mm256_set1_pd(0.5), _CMP_GE_OQ);
  const __m256d step =
      _mm256_and_pd(away, _mm256_or_pd(_mm256_and_pd(v, sign), _mm256_set1_pd(1.0)));
  return _mm256_cvttpd_epi32(_mm256_add_pd(truncated, step));
}

// For each mask of eight lanes, the indices of its set lanes in order (one per byte): with
// _mm256_permutevar8x32_epi32 they move the kept lanes of a vector to its front.
struct LeftPackTable {
  uint64_t lanes[256];
  constexpr LeftPackTable() : lanes() {
    for (int mask = 0; mask < 256; ++mask) {
      int kept = 0;
      for (int lane = 0; lane < 8; ++lane) {
        if ((mask >> lane) & 1) lanes[mask] |= uint64_t{static_cast<uint8_t>(lane)} << (8 * kept++);
      }
    }
  }
};
constexpr LeftPackTable kLeftPack;

// The lanes of v that `mask` keeps, moved to the front (the others follow, unspecified).
inline __m256i LeftPack(__m256i v, int mask) {
  const __m128i lanes = _mm_cvtsi64_si128(static_cast<int64_t>(kLeftPack.lanes[mask]));
  return _mm256_permutevar8x32_epi32(v, _mm256_cvtepu8_epi32(lanes));
}

// The smallest and the largest of eight lanes.
inline int32_t MinLane(__m256i v) {
  v = _mm256_min_epi32(v, _mm256_permute2x128_si256(v, v, 1));
  v = _mm256_min_epi32(v, _mm256_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm256_min_epi32(v, _mm256_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(_mm256_castsi256_si128(v));
}
inline int32_t MaxLane(__m256i v) {
  v = _mm256_max_epi32(v, _mm256_permute2x128_si256(v, v, 1));
  v = _mm256_max_epi32(v, _mm256_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm256_max_epi32(v, _mm256_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(_mm256_castsi256_si128(v));
}

}  // namespace avx2
#pragma GCC pop_options
#endif  // MORPHFIT_RENDER_AVX2

}  // namespace

void RasterOptions::Check() const {
  if (!(near_plane > 0.0) || !std::isfinite(near_plane)) {
    throw Error("render options: near_plane must be a positive distance in mm, got " +
                std::to_string(near_plane));
  }
  if (small_triangle_pixels < 0 || small_triangle_pixels > kMaxSmallTrianglePixels) {
    throw Error("render options: small_triangle_pixels must be in 0.." +
                std::to_string(kMaxSmallTrianglePixels) + ", got " +
                std::to_string(small_triangle_pixels));
  }
  if (medium_triangle_pixels < 0 || medium_triangle_pixels > kMaxMediumTrianglePixels) {
    throw Error("render options: medium_triangle_pixels must be in 0.." +
                std::to_string(kMaxMediumTrianglePixels) + ", got " +
                std::to_string(medium_triangle_pixels));
  }
}

Rasterizer::Rasterizer(const RasterOptions& options) : options_(options) {
  options_.Check();
  small_limit_ = options_.small_triangle_pixels << kSubpixelBits;
  medium_limit_ = options_.medium_triangle_pixels << kSubpixelBits;
#ifdef MORPHFIT_RENDER_AVX2
  __builtin_cpu_init();
  use_avx2_ = options_.allow_avx2 && __builtin_cpu_supports("avx2");
#endif
}

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
  if (options_.compute_normals &&
      (mesh.normals == nullptr || mesh.normals->cols() != vertices.cols())) {
    throw Error("rasterizer: normals asked for, but the mesh has no vertex normal per vertex");
  }
  // Every vertex once (triangles share them); throws for a non-finite one.
  ProjectVertices(vertices, camera);
  if (options_.compute_normals) ConvertNormals(*mesh.normals);

  // What the previous rendering into this frame drew is cleared band by band below, just before
  // the band is drawn (while it is in cache): Reset with an empty box only sizes the planes.
  Frame::Box stale = frame.drawn;
  if (frame.width != camera.width || frame.height != camera.height) stale = Frame::Box();
  frame.drawn = Frame::Box();
  frame.Reset(camera.width, camera.height, options_.compute_normals);
  frame.drawn = stale;  // until the new box replaces it: what a later Reset must clear if we throw
  frame.camera = camera;
  drawn_ = {camera.width, -1, camera.height, -1};

  const std::vector<Eigen::Vector3i>& triangles = *mesh.triangles;
  const int num_triangles = static_cast<int>(triangles.size());
  // Entry 0 holds the terms of no triangle, read for background pixels; triangle t is at t + 1.
  setups_.resize(num_triangles + 1);
  setups_[0] = ResolveSetup();
  // Pass 1, in mesh order: the drawn box, each triangle's resolve terms (relative to the top-left
  // corner of its box), and the bands of rows its box meets.
  // A power of two, so that binning a triangle shifts instead of dividing twice (an integer
  // division per triangle corner showed as 2% of a 256 x 256 frame).
  int band_shift = 0;
  while ((2 << band_shift) <= std::max(kMinBandRows, kBandBytes / (8 * camera.width))) ++band_shift;
  const int band_rows = 1 << band_shift;
  const int num_bands = (camera.height + band_rows - 1) >> band_shift;
  if (static_cast<int>(bands_.size()) < num_bands) bands_.resize(num_bands);
  for (int band = 0; band < num_bands; ++band) bands_[band].size = 0;
  pieces_.clear();
  to_set_up_.size = 0;
  int t = 0;
#ifdef MORPHFIT_RENDER_AVX2
  if (use_avx2_) t = BinTrianglesAvx2(mesh, camera, band_shift);
#endif
  for (; t < num_triangles; ++t) BinTriangle(t, mesh, camera, band_shift);
  frame.drawn = drawn_;
  SetupResolves(mesh, camera);

  // Pass 2, band by band: the raster pass over the band's triangles, then the resolve of its rows
  // while their ids and depths are still in cache.
  const ResolveTarget target = MakeResolveTarget(frame, options_.compute_normals);
  for (int band = 0; band < num_bands; ++band) {
    const int y0 = band * band_rows, y1 = std::min(camera.height, y0 + band_rows) - 1;
    frame.Clear({stale.x0, stale.x1, std::max(stale.y0, y0), std::min(stale.y1, y1)});
    RasterizeBand(mesh, bands_[band], y0, y1, frame);
    const int resolve_y0 = std::max(y0, drawn_.y0), resolve_y1 = std::min(y1, drawn_.y1);
#ifdef MORPHFIT_RENDER_AVX2
    if (use_avx2_) {
      if (options_.compute_normals) {
        avx2::ResolveRows<true>(target, resolve_y0, resolve_y1, setups_[0].terms);
      } else {
        avx2::ResolveRows<false>(target, resolve_y0, resolve_y1, setups_[0].terms);
      }
      continue;
    }
#endif
    ResolveRows(target, resolve_y0, resolve_y1, setups_[0].terms);
  }
}

void Rasterizer::ConvertNormals(const Eigen::Matrix3Xd& normals) {
  normals_.resize(4 * static_cast<size_t>(normals.cols()));
  for (Eigen::Index v = 0; v < normals.cols(); ++v) {
    for (int c = 0; c < 3; ++c) normals_[4 * v + c] = static_cast<float>(normals(c, v));
    normals_[4 * v + 3] = 0.0F;
  }
}

void Rasterizer::ProjectVertices(const Eigen::Matrix3Xd& vertices, const Camera& camera) {
  const int num_vertices = static_cast<int>(vertices.cols());
  screen_.resize(num_vertices);
  int v = 0;
  bool finite = true;
#ifdef MORPHFIT_RENDER_AVX2
  if (use_avx2_) v = ProjectVerticesAvx2(vertices, camera, finite);
#endif
  if (!finite || !vertices.rightCols(num_vertices - v).allFinite()) {
    throw Error("rasterizer: the mesh has non-finite vertices");
  }
  const double f = camera.focal;
  const double cx = camera.principal_point.x();
  const double cy = camera.principal_point.y();
  const double max_x = camera.width - 1 + kGuardBand;
  const double max_y = camera.height - 1 + kGuardBand;
  for (; v < num_vertices; ++v) {
    const double z = vertices(2, v);
    ScreenVertex& s = screen_[v];
    s.needs_clipping = 1;
    if (z < options_.near_plane) continue;
    const double x = f * vertices(0, v) / z + cx;
    const double y = f * vertices(1, v) / z + cy;
    if (x < -kGuardBand || x > max_x || y < -kGuardBand || y > max_y) continue;
    s.x = static_cast<int32_t>(std::llround(x * kSubpixelScale));
    s.y = static_cast<int32_t>(std::llround(y * kSubpixelScale));
    s.inverse_depth = static_cast<float>(1.0 / z);
    s.needs_clipping = 0;
  }
}

inline __attribute__((always_inline)) void Rasterizer::BinTriangle(int32_t t,
                                                                   const CameraSpaceMesh& mesh,
                                                                   const Camera& camera,
                                                                   int band_shift) {
  const Eigen::Vector3i& tri = (*mesh.triangles)[t];
  const int num_vertices = static_cast<int>(screen_.size());
  // One unsigned comparison per corner catches negative indices too.
  const auto count = static_cast<uint32_t>(num_vertices);
  if (static_cast<uint32_t>(tri[0]) >= count || static_cast<uint32_t>(tri[1]) >= count ||
      static_cast<uint32_t>(tri[2]) >= count) {
    throw Error("rasterizer: triangle " + std::to_string(t) + " refers to a vertex outside 0.." +
                std::to_string(num_vertices - 1));
  }
  const ScreenVertex& a = screen_[tri[0]];
  const ScreenVertex& b = screen_[tri[1]];
  const ScreenVertex& c = screen_[tri[2]];
  if (a.needs_clipping || b.needs_clipping || c.needs_clipping) {
    const Eigen::Matrix3Xd& vertices = *mesh.vertices;
    const size_t first = pieces_.size();
    ClipToPieces(vertices.col(tri[0]), vertices.col(tri[1]), vertices.col(tri[2]), t, camera);
    for (size_t i = first; i < pieces_.size(); ++i) {
      const Piece& piece = pieces_[i];
      Bin(~static_cast<int32_t>(i), piece.a, piece.b, piece.c, t, camera, band_shift);
    }
    return;
  }
  Bin(t, a, b, c, t, camera, band_shift);
}

inline __attribute__((always_inline)) void Rasterizer::Bin(int32_t entry, const ScreenVertex& a,
                                                           const ScreenVertex& b,
                                                           const ScreenVertex& c, int32_t t,
                                                           const Camera& camera, int band_shift) {
  const Extent extent = ExtentOf(a, b, c);
  const PixelBox box = BoxOf(extent, 0, camera.height - 1, camera.width);
  // Many triangles of a dense mesh contain no pixel centre: done before any set-up.
  if (box.x0 > box.x1 || box.y0 > box.y1) return;
  drawn_.x0 = std::min(drawn_.x0, box.x0);
  drawn_.x1 = std::max(drawn_.x1, box.x1);
  drawn_.y0 = std::min(drawn_.y0, box.y0);
  drawn_.y1 = std::max(drawn_.y1, box.y1);
  // Resolve terms relative to the box's top-left pixel (of the last piece of a clipped one).
  setups_[t + 1].terms[kOx] = static_cast<float>(box.x0);
  setups_[t + 1].terms[kOy] = static_cast<float>(box.y0);
  // A whole small triangle's terms are set up when it is drawn (SmallPlaneTerms).
  const bool screen_terms = entry >= 0 && extent.Span() < kScreenTermsLimit;
  if (!screen_terms && (to_set_up_.size == 0 || to_set_up_.begin()[to_set_up_.size - 1] != t)) {
    to_set_up_.Push(t);
  }
  if (use_avx2_ && entry >= 0 && entry < kSmallEntry && extent.Span() < small_limit_) {
    entry += kSmallEntry;
  }
  for (int band = box.y0 >> band_shift; band <= box.y1 >> band_shift; ++band) {
    bands_[band].Push(entry);
  }
}

void Rasterizer::RasterizeBand(const CameraSpaceMesh& mesh, const EntryList& entries, int row0,
                               int row1, Frame& frame) {
  const std::vector<Eigen::Vector3i>& triangles = *mesh.triangles;
  const float* normals = options_.compute_normals ? normals_.data() : nullptr;
  auto rasterize = [this, &triangles, &frame, row0, row1](int32_t entry) {
    if (entry >= 0) {
      const Eigen::Vector3i& tri = triangles[entry];
      RasterizeTriangle(screen_[tri[0]], screen_[tri[1]], screen_[tri[2]], entry,
                        options_.cull_back_faces, row0, row1, frame, &tri);
    } else {
      // Back faces were culled before clipping, in camera space.
      const Piece& piece = pieces_[~entry];
      RasterizeTriangle(piece.a, piece.b, piece.c, piece.triangle_id, false, row0, row1, frame);
    }
  };
#ifdef MORPHFIT_RENDER_AVX2
  if (use_avx2_) {
    // Runs of small triangles are set up eight at a time; any other entry waits until the run
    // before it is drawn, so that triangles are drawn in mesh order (which settles depth ties).
    const avx2::BandTarget target = {frame.width,
                                     row0,
                                     row1,
                                     options_.cull_back_faces,
                                     frame.depth.data(),
                                     frame.triangle.data(),
                                     setups_[0].terms,
                                     normals};
    int32_t batch[8];
    int count = 0;
    auto draw_batch = [&] {
      if (count > 0) {
        avx2::RasterizeSmallTriangles(triangles.data(), screen_.data(), batch, count, target,
                                      rasterize);
      }
      count = 0;
    };
    for (int32_t entry : entries) {
      if (entry >= kSmallEntry) {
        batch[count++] = entry - kSmallEntry;
        if (count == 8) draw_batch();
      } else {
        draw_batch();
        rasterize(entry);
      }
    }
    draw_batch();
    return;
  }
#endif
  for (int32_t entry : entries) rasterize(entry);
}

void Rasterizer::RasterizeTriangle(const ScreenVertex& a, const ScreenVertex& b,
                                   const ScreenVertex& c, int32_t triangle_id, bool cull_back_faces,
                                   int row0, int row1, Frame& frame,
                                   const Eigen::Vector3i* whole_triangle) {
  const Extent extent = ExtentOf(a, b, c);
  const PixelBox box = BoxOf(extent, row0, row1, frame.width);
  if (box.x0 > box.x1 || box.y0 > box.y1) return;
  // A small whole triangle gets its resolve terms here, from its screen corners (pass 1 left it
  // out of to_set_up_).
  if (whole_triangle != nullptr && extent.Span() < kScreenTermsLimit) {
    float* terms = setups_[triangle_id + 1].terms;
    SetUpSmallTriangleTerms(a, b, c, extent, terms);
    CopyVertexNormals(options_.compute_normals ? normals_.data() : nullptr, *whole_triangle, terms);
  }
#ifdef __SSE2__
  const int32_t span = extent.Span();
  if (span < small_limit_ || span < medium_limit_) {
    // Four pixels at a time from xs, in blocks aligned to four pixels (a load overlapping part of
    // a recent store, as unaligned blocks of neighbouring triangles do, waits for the store to
    // reach the cache), or at the right border in blocks that end inside the row. A lane outside
    // the box is then outside the triangle, since the image did not clip the box on that side,
    // and the exact edge functions reject it: no lane mask is needed.
    int xs = box.x0 & ~3;
    int blocks = (box.x1 - xs + 4) >> 2;
    if (xs + 4 * blocks > frame.width) {
      blocks = (box.x1 - box.x0 + 4) >> 2;
      xs = frame.width - 4 * blocks;
    }
    if (xs >= 0) {  // else an image narrower than the blocks
      BlockWalk walk;
      const size_t start = static_cast<size_t>(box.y0) * frame.width + xs;
      const int rows = box.y1 - box.y0 + 1;
      float* const depth = frame.depth.data() + start;
      int32_t* const ids = frame.triangle.data() + start;
      auto walk_blocks = [&](auto float_edges) {
        constexpr bool kFloatEdges = decltype(float_edges)::value;
#ifdef MORPHFIT_RENDER_AVX2
        if (use_avx2_ && blocks >= 2) {
          avx2::WalkBlocks8<kFloatEdges>(walk, rows, blocks, frame.width, triangle_id, depth, ids);
          return;
        }
#endif
        WalkBlocks<kFloatEdges>(walk, rows, blocks, frame.width, triangle_id, depth, ids);
      };
      if (span < small_limit_) {
        if (SetUpFloatEdges(a, b, c, xs, box.y0, cull_back_faces, walk)) {
          walk_blocks(std::true_type());
        }
      } else if (SetUpInt32Edges(a, b, c, xs, box.y0, cull_back_faces, walk)) {
        walk_blocks(std::false_type());
      }
      return;
    }
  }
#endif
  RasterizeLargeTriangle(a, b, c, box, triangle_id, cull_back_faces, frame);
}

void Rasterizer::RasterizeLargeTriangle(const ScreenVertex& a, const ScreenVertex& b_in,
                                        const ScreenVertex& c_in, const PixelBox& box,
                                        int32_t triangle_id, bool cull_back_faces, Frame& frame) {
  int64_t area = (int64_t{b_in.x} - a.x) * (int64_t{c_in.y} - a.y) -
                 (int64_t{b_in.y} - a.y) * (int64_t{c_in.x} - a.x);
  if (area == 0 || (cull_back_faces && area > 0)) return;
  // Orient positively so that all three edge functions are positive inside.
  const bool flip = area < 0;
  const ScreenVertex& b = flip ? c_in : b_in;
  const ScreenVertex& c = flip ? b_in : c_in;
  if (flip) area = -area;

  constexpr int64_t kOne = int64_t{1} << kSubpixelBits;
  const int64_t min_x = box.x0, max_x = box.x1, min_y = box.y0, max_y = box.y1;
  // Edge e_k is opposite vertex k: e0 = b -> c, e1 = c -> a, e2 = a -> b;
  // E(p) = (q.x - p0.x) * (p.y - p0.y) - (q.y - p0.y) * (p.x - p0.x) for the edge p0 -> q.
  const int64_t px = min_x * kOne;
  const int64_t py = min_y * kOne;
  const int64_t dx0 = int64_t{c.x} - b.x, dy0 = int64_t{c.y} - b.y;
  const int64_t dx1 = int64_t{a.x} - c.x, dy1 = int64_t{a.y} - c.y;
  const int64_t dx2 = int64_t{b.x} - a.x, dy2 = int64_t{b.y} - a.y;
  int64_t row0 = dx0 * (py - b.y) - dy0 * (px - b.x) - (IsTopLeft(dx0, dy0) ? 0 : 1);
  int64_t row1 = dx1 * (py - c.y) - dy1 * (px - c.x) - (IsTopLeft(dx1, dy1) ? 0 : 1);
  int64_t row2 = dx2 * (py - a.y) - dy2 * (px - a.x) - (IsTopLeft(dx2, dy2) ? 0 : 1);
  const int64_t step_x0 = -dy0 * kOne, step_x1 = -dy1 * kOne, step_x2 = -dy2 * kOne;
  const int64_t step_y0 = dx0 * kOne, step_y1 = dx1 * kOne, step_y2 = dx2 * kOne;

  // Inverse depth is affine in screen space: the edge functions are its barycentric weights.
  const double inv_area = 1.0 / static_cast<double>(area);
  const double iza = a.inverse_depth, izb = b.inverse_depth, izc = c.inverse_depth;
  const double iz_dx = (step_x0 * iza + step_x1 * izb + step_x2 * izc) * inv_area;
  const double iz_dy = (step_y0 * iza + step_y1 * izb + step_y2 * izc) * inv_area;
  double iz_row = (static_cast<double>(row0) * iza + static_cast<double>(row1) * izb +
                   static_cast<double>(row2) * izc) *
                  inv_area;
  const float iz_step = static_cast<float>(iz_dx);

  const int width = frame.width;
  const int count = static_cast<int>(max_x - min_x + 1);
  float* const depth = frame.depth.data() + min_x;
  int32_t* const ids = frame.triangle.data() + min_x;
  // Most triangles are small: their edge functions over the bounding box (and three pixels past
  // it) fit in int32, four to an SSE register.
  const int64_t nx = max_x - min_x, ny = max_y - min_y;
  auto bound = [&](int64_t row, int64_t sx, int64_t sy) {
    return std::abs(row) + std::abs(sx) * (nx + 4) + std::abs(sy) * ny;
  };
  [[maybe_unused]] const bool fits_int32 =
      std::max({bound(row0, step_x0, step_y0), bound(row1, step_x1, step_y1),
                bound(row2, step_x2, step_y2)}) < std::numeric_limits<int32_t>::max();
  int64_t y = min_y;
#ifdef __SSE2__
  if (fits_int32) {
    // Four pixels at a time, the per-row work reduced to broadcasts: the lane offsets and steps
    // are set up once per triangle, and lanes past the bounding box are masked off (they may be
    // inside the triangle where the image clipped the box). Rows whose last four pixels would
    // reach past the buffer's end go one pixel at a time below.
    const int blocks = (count + 3) / 4;
    const __m128i lanes = _mm_set_epi32(3, 2, 1, 0);
    auto lane_offsets = [](int64_t step) {
      const auto s = static_cast<int32_t>(step);
      return _mm_set_epi32(3 * s, 2 * s, s, 0);
    };
    const __m128i offset0 = lane_offsets(step_x0), offset1 = lane_offsets(step_x1),
                  offset2 = lane_offsets(step_x2);
    const __m128i block0 = _mm_set1_epi32(static_cast<int32_t>(4 * step_x0)),
                  block1 = _mm_set1_epi32(static_cast<int32_t>(4 * step_x1)),
                  block2 = _mm_set1_epi32(static_cast<int32_t>(4 * step_x2));
    const __m128 iz_offsets = _mm_mul_ps(_mm_set1_ps(iz_step), _mm_cvtepi32_ps(lanes));
    const __m128 iz_block = _mm_set1_ps(4 * iz_step);
    const __m128i last_mask = _mm_cmpgt_epi32(_mm_set1_epi32(count - 4 * (blocks - 1)), lanes);
    const __m128i minus_one = _mm_set1_epi32(-1), id = _mm_set1_epi32(triangle_id);
    // Rows y <= this can access 4 * blocks <= count + 3 pixels from min_x: all when they stay in
    // the row, else all but the last row (when a row has room for the 3 extra pixels).
    const int64_t safe_rows_end = min_x + 4 * blocks <= width ? max_y
                                  : width >= 4                ? frame.height - 2
                                                              : -1;
    for (; y <= std::min(max_y, safe_rows_end); ++y) {
      float* depth_row = depth + y * width;
      int32_t* id_row = ids + y * width;
      __m128i v0 = _mm_add_epi32(_mm_set1_epi32(static_cast<int32_t>(row0)), offset0);
      __m128i v1 = _mm_add_epi32(_mm_set1_epi32(static_cast<int32_t>(row1)), offset1);
      __m128i v2 = _mm_add_epi32(_mm_set1_epi32(static_cast<int32_t>(row2)), offset2);
      __m128 iz = _mm_add_ps(_mm_set1_ps(static_cast<float>(iz_row)), iz_offsets);
      for (int b = 0; b < blocks; ++b) {
        __m128i inside = _mm_cmpgt_epi32(_mm_or_si128(_mm_or_si128(v0, v1), v2), minus_one);
        if (b == blocks - 1) inside = _mm_and_si128(inside, last_mask);
        DepthTest(inside, iz, id, depth_row, id_row);
        v0 = _mm_add_epi32(v0, block0);
        v1 = _mm_add_epi32(v1, block1);
        v2 = _mm_add_epi32(v2, block2);
        iz = _mm_add_ps(iz, iz_block);
        depth_row += 4;
        id_row += 4;
      }
      row0 += step_y0;
      row1 += step_y1;
      row2 += step_y2;
      iz_row += iz_dy;
    }
  }
#endif
  for (; y <= max_y; ++y) {
    const float iz_start = static_cast<float>(iz_row);
    float* const depth_row = depth + y * width;
    int32_t* const id_row = ids + y * width;
    RasterRow(row0, row1, row2, step_x0, step_x1, step_x2, iz_start, iz_step, count, triangle_id,
              depth_row, id_row);
    row0 += step_y0;
    row1 += step_y1;
    row2 += step_y2;
    iz_row += iz_dy;
  }
}

void Rasterizer::ClipToPieces(const Eigen::Vector3d& a, const Eigen::Vector3d& b,
                              const Eigen::Vector3d& c, int32_t triangle_id, const Camera& camera) {
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
    screen[i].x = static_cast<int32_t>(std::llround((f * p.x() / z + cx) * kSubpixelScale));
    screen[i].y = static_cast<int32_t>(std::llround((f * p.y() / z + cy) * kSubpixelScale));
    screen[i].inverse_depth = static_cast<float>(1.0 / z);
    screen[i].needs_clipping = 0;
  }
  for (int i = 1; i + 1 < count; ++i)
    pieces_.push_back({screen[0], screen[i], screen[i + 1], triangle_id});
}

void Rasterizer::SetupResolves(const CameraSpaceMesh& mesh, const Camera& camera) {
  const Eigen::Matrix3Xd& vertices = *mesh.vertices;
  const std::vector<Eigen::Vector3i>& triangles = *mesh.triangles;
  const double cx = camera.principal_point.x(), cy = camera.principal_point.y();
  const double focal = camera.focal;
  const float* normals = options_.compute_normals ? normals_.data() : nullptr;
  size_t done = 0;
#ifdef MORPHFIT_RENDER_AVX2
  if (use_avx2_) {
    auto terms_of = [this](int32_t t) { return setups_[t + 1].terms; };
    done = avx2::SetUpPlaneTerms(vertices, normals, triangles, to_set_up_.begin(), to_set_up_.size,
                                 cx, cy, focal, terms_of);
  }
#endif
  for (size_t i = done; i < to_set_up_.size; ++i) {
    const int32_t t = to_set_up_.begin()[i];
    float* terms = setups_[t + 1].terms;
    const Eigen::Vector3i& tri = triangles[t];
    double p[3][3];
    for (int k = 0; k < 3; ++k) {
      for (int c = 0; c < 3; ++c) p[k][c] = vertices(c, tri[k]);
    }
    const double ray[3] = {terms[kOx] - cx, terms[kOy] - cy, focal};
    double out[9];
    PlaneTerms(p[0], p[1], p[2], ray, out);
    for (int m = 0; m < 9; ++m) terms[kA0 + m] = static_cast<float>(out[m]);
    CopyVertexNormals(normals, tri, terms);
  }
}

#ifdef MORPHFIT_RENDER_AVX2
#pragma GCC push_options
#pragma GCC target("avx2")
// ProjectVertices four vertices at a time, with the same double operations in the same order, so
// the same bits (x, y and inverse depth are left unspecified where the vertex needs clipping, as
// no one reads them there). Returns how many it did (a multiple of four); `finite` says whether
// they were all finite.
int Rasterizer::ProjectVerticesAvx2(const Eigen::Matrix3Xd& vertices, const Camera& camera,
                                    bool& finite) {
  const int num_vertices = static_cast<int>(vertices.cols());
  const __m256d f = _mm256_set1_pd(camera.focal);
  const __m256d cx = _mm256_set1_pd(camera.principal_point.x());
  const __m256d cy = _mm256_set1_pd(camera.principal_point.y());
  const __m256d near = _mm256_set1_pd(options_.near_plane);
  const __m256d min_xy = _mm256_set1_pd(-kGuardBand);
  const __m256d max_x = _mm256_set1_pd(camera.width - 1 + kGuardBand);
  const __m256d max_y = _mm256_set1_pd(camera.height - 1 + kGuardBand);
  const __m256d scale = _mm256_set1_pd(kSubpixelScale), one = _mm256_set1_pd(1.0);
  // x - x is 0 for finite x, NaN for the others, and NaN stays in the sum.
  __m256d not_finite = _mm256_setzero_pd();
  const double* p = vertices.data();
  float* out = reinterpret_cast<float*>(screen_.data());
  int v = 0;
  for (; v + 4 <= num_vertices; v += 4, p += 12, out += 16) {
    // Vertices v..v+3 are x0 y0 z0 x1 | y1 z1 x2 y2 | z2 x3 y3 z3: blend each lane from the
    // register holding it, then put the lanes in vertex order.
    const __m256d r0 = _mm256_loadu_pd(p), r1 = _mm256_loadu_pd(p + 4), r2 = _mm256_loadu_pd(p + 8);
    not_finite = _mm256_add_pd(
        not_finite, _mm256_add_pd(_mm256_add_pd(_mm256_sub_pd(r0, r0), _mm256_sub_pd(r1, r1)),
                                  _mm256_sub_pd(r2, r2)));
    const __m256d vx = _mm256_permute4x64_pd(_mm256_blend_pd(_mm256_blend_pd(r0, r1, 0x4), r2, 0x2),
                                             _MM_SHUFFLE(1, 2, 3, 0));
    const __m256d vy = _mm256_permute4x64_pd(_mm256_blend_pd(_mm256_blend_pd(r0, r1, 0x9), r2, 0x4),
                                             _MM_SHUFFLE(2, 3, 0, 1));
    const __m256d z = _mm256_permute4x64_pd(_mm256_blend_pd(_mm256_blend_pd(r0, r1, 0x2), r2, 0x9),
                                            _MM_SHUFFLE(3, 0, 1, 2));
    const __m256d x = _mm256_add_pd(_mm256_div_pd(_mm256_mul_pd(f, vx), z), cx);
    const __m256d y = _mm256_add_pd(_mm256_div_pd(_mm256_mul_pd(f, vy), z), cy);
    const __m256d clip = _mm256_or_pd(
        _mm256_or_pd(_mm256_cmp_pd(z, near, _CMP_LT_OQ),
                     _mm256_or_pd(_mm256_cmp_pd(x, min_xy, _CMP_LT_OQ),
                                  _mm256_cmp_pd(x, max_x, _CMP_GT_OQ))),
        _mm256_or_pd(_mm256_cmp_pd(y, min_xy, _CMP_LT_OQ), _mm256_cmp_pd(y, max_y, _CMP_GT_OQ)));
    // The low halves of the 64-bit masks, as 1 or 0.
    const __m128i needs_clipping =
        _mm_and_si128(_mm256_castsi256_si128(_mm256_permutevar8x32_epi32(
                          _mm256_castpd_si256(clip), _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6))),
                      _mm_set1_epi32(1));
    __m128 c0 = _mm_castsi128_ps(avx2::RoundToInt32(_mm256_mul_pd(x, scale)));
    __m128 c1 = _mm_castsi128_ps(avx2::RoundToInt32(_mm256_mul_pd(y, scale)));
    __m128 c2 = _mm256_cvtpd_ps(_mm256_div_pd(one, z));
    __m128 c3 = _mm_castsi128_ps(needs_clipping);
    _MM_TRANSPOSE4_PS(c0, c1, c2, c3);
    _mm_storeu_ps(out, c0);
    _mm_storeu_ps(out + 4, c1);
    _mm_storeu_ps(out + 8, c2);
    _mm_storeu_ps(out + 12, c3);
  }
  finite = !_mm256_movemask_pd(_mm256_cmp_pd(not_finite, not_finite, _CMP_UNORD_Q));
  return v;
}

// Pass 1 eight triangles at a time: corners, boxes, emptiness, class and bands as vectors, then
// appends of the kept lanes (in mesh order) eight at a time. A group with a corner index out of
// range or a triangle to clip goes through BinTriangle one triangle at a time, which throws the
// same error or clips in the same order.
int Rasterizer::BinTrianglesAvx2(const CameraSpaceMesh& mesh, const Camera& camera,
                                 int band_shift) {
  static_assert(sizeof(Eigen::Vector3i) == 3 * sizeof(int32_t), "triangles are packed int32");
  static_assert(sizeof(ScreenVertex) == 4 * sizeof(int32_t), "x, y, inverse depth, clipping");
  const std::vector<Eigen::Vector3i>& triangles = *mesh.triangles;
  const int num_triangles = static_cast<int>(triangles.size());
  if (screen_.empty()) return 0;
  const int32_t* corners = triangles.data()->data();
  const __m256i last_vertex = _mm256_set1_epi32(static_cast<int32_t>(screen_.size()) - 1);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i last_column = _mm256_set1_epi32(camera.width - 1);
  const __m256i last_row = _mm256_set1_epi32(camera.height - 1);
  const __m256i small_limit = _mm256_set1_epi32(small_limit_);
  const __m256i small_entry = _mm256_set1_epi32(kSmallEntry);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i lowest = _mm256_set1_epi32(std::numeric_limits<int32_t>::min());
  const __m256i highest = _mm256_set1_epi32(std::numeric_limits<int32_t>::max());
  __m256i drawn_x0 = highest, drawn_x1 = lowest, drawn_y0 = highest, drawn_y1 = lowest;
  int t = 0;
  for (; t + 8 <= num_triangles; t += 8) {
    // The 24 corner indices of the eight triangles, all in range (unsigned: negative ones too)?
    const __m256i* group = reinterpret_cast<const __m256i*>(corners + 3 * t);
    const __m256i largest =
        _mm256_max_epu32(_mm256_max_epu32(_mm256_loadu_si256(group), _mm256_loadu_si256(group + 1)),
                         _mm256_loadu_si256(group + 2));
    if (_mm256_movemask_epi8(
            _mm256_cmpeq_epi32(_mm256_max_epu32(largest, last_vertex), last_vertex)) != -1) {
      for (int j = 0; j < 8; ++j) BinTriangle(t + j, mesh, camera, band_shift);
      continue;
    }
    // x, y, inverse depth and needs_clipping of corner k of the eight triangles, one screen
    // vertex (16 bytes) a row, transposed.
    __m256i x[3], y[3], clip = zero;
    for (int k = 0; k < 3; ++k) {
      const float* rows[8];
      for (int j = 0; j < 8; ++j) {
        rows[j] = reinterpret_cast<const float*>(screen_.data() + corners[3 * (t + j) + k]);
      }
      __m256 columns[4];
      avx2::TransposeRows(rows, 0, columns);
      x[k] = _mm256_castps_si256(columns[0]);
      y[k] = _mm256_castps_si256(columns[1]);
      clip = _mm256_or_si256(clip, _mm256_castps_si256(columns[3]));
    }
    if (!_mm256_testz_si256(clip, clip)) {
      for (int j = 0; j < 8; ++j) BinTriangle(t + j, mesh, camera, band_shift);
      continue;
    }
    // As ExtentOf and BoxOf.
    const __m256i min_x = avx2::Min3(x[0], x[1], x[2]), max_x = avx2::Max3(x[0], x[1], x[2]);
    const __m256i min_y = avx2::Min3(y[0], y[1], y[2]), max_y = avx2::Max3(y[0], y[1], y[2]);
    const __m256i x0 = _mm256_max_epi32(zero, avx2::CeilPixels(min_x));
    const __m256i x1 = _mm256_min_epi32(last_column, _mm256_srai_epi32(max_x, kSubpixelBits));
    const __m256i y0 = _mm256_max_epi32(zero, avx2::CeilPixels(min_y));
    const __m256i y1 = _mm256_min_epi32(last_row, _mm256_srai_epi32(max_y, kSubpixelBits));
    const __m256i empty = _mm256_or_si256(_mm256_cmpgt_epi32(x0, x1), _mm256_cmpgt_epi32(y0, y1));
    const int kept = ~_mm256_movemask_ps(_mm256_castsi256_ps(empty)) & 0xFF;
    if (kept == 0) continue;
    drawn_x0 = _mm256_min_epi32(drawn_x0, _mm256_blendv_epi8(x0, highest, empty));
    drawn_x1 = _mm256_max_epi32(drawn_x1, _mm256_blendv_epi8(x1, lowest, empty));
    drawn_y0 = _mm256_min_epi32(drawn_y0, _mm256_blendv_epi8(y0, highest, empty));
    drawn_y1 = _mm256_max_epi32(drawn_y1, _mm256_blendv_epi8(y1, lowest, empty));
    // Resolve terms relative to the box's top-left pixel, written for all eight (those of a
    // triangle not drawn are not read): (x, y) pairs of triangles 0, 1, 4, 5 and 2, 3, 6, 7.
    const __m256 origin_x = _mm256_cvtepi32_ps(x0), origin_y = _mm256_cvtepi32_ps(y0);
    const __m256 pairs_low = _mm256_unpacklo_ps(origin_x, origin_y);
    const __m256 pairs_high = _mm256_unpackhi_ps(origin_x, origin_y);
    const __m128 pairs[4] = {_mm256_castps256_ps128(pairs_low), _mm256_castps256_ps128(pairs_high),
                             _mm256_extractf128_ps(pairs_low, 1),
                             _mm256_extractf128_ps(pairs_high, 1)};
    ResolveSetup* setup = setups_.data() + t + 1;
    static_assert(kOy == kOx + 1, "the origin is a pair");
    for (int q = 0; q < 4; ++q) {
      _mm_storel_pi(reinterpret_cast<__m64*>(setup[2 * q].terms + kOx), pairs[q]);
      _mm_storeh_pi(reinterpret_cast<__m64*>(setup[2 * q + 1].terms + kOx), pairs[q]);
    }
    const __m256i ids = _mm256_add_epi32(_mm256_set1_epi32(t), lanes);
    const __m256i span =
        _mm256_max_epi32(_mm256_sub_epi32(max_x, min_x), _mm256_sub_epi32(max_y, min_y));
    const __m256i small = _mm256_cmpgt_epi32(small_limit, span);
    // Triangles under kScreenTermsLimit get their terms when drawn.
    const int kept_other = kept & ~_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(
                                      _mm256_set1_epi32(kScreenTermsLimit), span)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to_set_up_.Room()),
                        avx2::LeftPack(ids, kept_other));
    to_set_up_.Keep(__builtin_popcount(kept_other));
    const __m256i entries = _mm256_add_epi32(ids, _mm256_and_si256(small, small_entry));
    const __m256i band0 = _mm256_srai_epi32(y0, band_shift);
    const __m256i band1 = _mm256_srai_epi32(y1, band_shift);
    const int first_band = avx2::MinLane(_mm256_blendv_epi8(band0, highest, empty));
    const int last_band = avx2::MaxLane(_mm256_blendv_epi8(band1, lowest, empty));
    for (int band = first_band; band <= last_band; ++band) {
      const __m256i b = _mm256_set1_epi32(band);
      const __m256i outside = _mm256_or_si256(
          empty, _mm256_or_si256(_mm256_cmpgt_epi32(band0, b), _mm256_cmpgt_epi32(b, band1)));
      const int meeting = ~_mm256_movemask_ps(_mm256_castsi256_ps(outside)) & 0xFF;
      EntryList& list = bands_[band];
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(list.Room()),
                          avx2::LeftPack(entries, meeting));
      list.Keep(__builtin_popcount(meeting));
    }
  }
  drawn_.x0 = std::min(drawn_.x0, avx2::MinLane(drawn_x0));
  drawn_.x1 = std::max(drawn_.x1, avx2::MaxLane(drawn_x1));
  drawn_.y0 = std::min(drawn_.y0, avx2::MinLane(drawn_y0));
  drawn_.y1 = std::max(drawn_.y1, avx2::MaxLane(drawn_y1));
  return t;
}
#pragma GCC pop_options
#endif  // MORPHFIT_RENDER_AVX2

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
