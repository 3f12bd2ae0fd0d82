#include "morphfit/render/rasterizer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "render/test_meshes.h"

namespace morphfit::render {
namespace {

using testing::AngleDegrees;
using testing::MakeCube;
using testing::MakeGridPlane;
using testing::MakeSphere;
using testing::PixelRay;
using testing::TestMesh;

Frame Render(const TestMesh& mesh, const Camera& camera, RasterOptions options = RasterOptions()) {
  Frame frame;
  Rasterizer(options).Render(mesh.View(), camera, frame);
  return frame;
}

// A tilted plane cut into subdivisions x subdivisions cells: every pixel whose ray meets the
// rectangle (1 pixel inside its outline) is covered, nothing else is, and depth and normal are
// those of the analytic plane.
void ExpectTiltedPlaneMatchesAnalyticSurface(int subdivisions) {
  const Camera camera = Camera::ForImage(256, 200, 300.0);
  const Eigen::Vector3d origin(-120, -90, 520);
  const Eigen::Vector3d u(15, 200, 90), v(230, 20, -60);  // u x v faces the camera
  const TestMesh mesh = MakeGridPlane(origin, u, v, subdivisions);
  const Eigen::Vector3d normal = u.cross(v).normalized();
  ASSERT_LT(normal.z(), 0.0);
  const Frame frame = Render(mesh, camera);

  // Plane coordinates (s, t) of the ray hit: origin + s u + t v = z d.
  Eigen::Matrix3d system;
  int covered = 0;
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      const Eigen::Vector3d d = PixelRay(camera, x, y);
      const double z = origin.dot(normal) / d.dot(normal);
      system << u, v, -d;
      const Eigen::Vector3d st = system.lu().solve(-origin);
      // One pixel of margin in the image, measured along the plane.
      const Eigen::Vector3d hit = z * d;
      const double margin_s = 1.5 * z / camera.focal / u.norm() * 2;
      const double margin_t = 1.5 * z / camera.focal / v.norm() * 2;
      const bool inside =
          st[0] > margin_s && st[0] < 1 - margin_s && st[1] > margin_t && st[1] < 1 - margin_t;
      const bool outside =
          st[0] < -margin_s || st[0] > 1 + margin_s || st[1] < -margin_t || st[1] > 1 + margin_t;
      const int i = frame.Index(x, y);
      if (inside) {
        EXPECT_TRUE(frame.Covered(i)) << x << ", " << y;
      }
      if (outside) {
        EXPECT_FALSE(frame.Covered(i)) << x << ", " << y;
      }
      if (!frame.Covered(i)) {
        EXPECT_EQ(frame.depth[i], 0.0F);
        continue;
      }
      ++covered;
      EXPECT_NEAR(frame.depth[i], hit.z(), 1e-3 * hit.z()) << x << ", " << y;
      EXPECT_LT(AngleDegrees(frame.Normal(i).cast<double>(), normal), 0.5);
      // The barycentrics reproduce the hit point on the triangle.
      const Eigen::Vector3i& tri = mesh.triangles[frame.triangle[i]];
      const Eigen::Vector3f b = frame.Barycentric(i);
      EXPECT_NEAR(b.sum(), 1.0F, 1e-5F);
      const Eigen::Vector3d p = b[0] * mesh.vertices.col(tri[0]) +
                                b[1] * mesh.vertices.col(tri[1]) + b[2] * mesh.vertices.col(tri[2]);
      // Exact up to the vertex snapping (1/256 pixel) at pixels on a triangle's border.
      EXPECT_LT((p - hit).norm(), hit.z() / camera.focal / 128);
    }
  }
  EXPECT_GT(covered, frame.num_pixels() / 4);
}

// Triangles of about 30 pixels: resolved by intersecting each pixel's ray with the triangle.
TEST(RasterizerTest, TiltedPlaneMatchesAnalyticSurface) {
  ExpectTiltedPlaneMatchesAnalyticSurface(7);
}

// Triangles of 2-4 pixels, under kMaxSmallTrianglePixels: resolved from the snapped screen
// corners' inverse depths instead, to the same bounds.
TEST(RasterizerTest, TiltedPlaneOfSmallTrianglesMatchesAnalyticSurface) {
  ExpectTiltedPlaneMatchesAnalyticSurface(64);
}

// Nearest intersection of the ray z d (z > 0) with a sphere; false when it misses.
bool HitSphere(const Eigen::Vector3d& d, const Eigen::Vector3d& centre, double radius,
               Eigen::Vector3d& hit) {
  const double a = d.squaredNorm(), b = -2 * d.dot(centre),
               c = centre.squaredNorm() - radius * radius;
  const double disc = b * b - 4 * a * c;
  if (disc < 0) return false;
  hit = ((-b - std::sqrt(disc)) / (2 * a)) * d;
  return true;
}

TEST(RasterizerTest, SphereMatchesAnalyticSurface) {
  const Camera camera = Camera::ForImage(256, 256, 600.0);
  const Eigen::Vector3d centre(20, -10, 400);
  const double radius = 60;
  const TestMesh mesh = MakeSphere(centre, radius, 96, 192);
  const Frame frame = Render(mesh, camera);
  int checked = 0, near_silhouette = 0;
  double worst_angle = 0;
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      const int i = frame.Index(x, y);
      const Eigen::Vector3d d = PixelRay(camera, x, y);
      Eigen::Vector3d hit;
      const bool hits = HitSphere(d, centre, radius, hit);
      // Facing: cosine between the analytic normal and the direction to the camera.
      const double facing = hits ? -((hit - centre) / radius).dot(d.normalized()) : -1.0;
      // The inscribed mesh is inside the sphere: a covered pixel's ray meets the sphere, and a
      // ray meeting it well inside the silhouette meets the mesh.
      if (frame.Covered(i)) {
        ASSERT_TRUE(hits) << x << ", " << y;
      } else {
        EXPECT_FALSE(facing > 0.05) << x << ", " << y;
        continue;
      }
      if (facing >= 0.05) {
        EXPECT_NEAR(frame.depth[i], hit.z(), 1e-3 * hit.z())
            << x << ", " << y << " facing " << facing;
      }
      const double angle = AngleDegrees(frame.Normal(i).cast<double>(), (hit - centre) / radius);
      if (facing >= 0.2) {
        EXPECT_LT(angle, 0.5) << x << ", " << y;
        worst_angle = std::max(worst_angle, angle);
        ++checked;
      } else if (facing >= 0.05) {
        EXPECT_LT(angle, 1.0) << x << ", " << y;
        ++near_silhouette;
      }
    }
  }
  EXPECT_GT(checked, 20000);
  EXPECT_GT(near_silhouette, 100);
  RecordProperty("worst_normal_angle_deg", std::to_string(worst_angle));
}

// Per-pixel hit counts of triangles rendered one at a time (the z-buffer would hide double hits).
std::vector<int> CountHits(const Eigen::Matrix3Xd& vertices,
                           const std::vector<Eigen::Vector3i>& triangles, const Camera& camera) {
  RasterOptions options;
  options.compute_normals = false;
  Rasterizer rasterizer(options);
  Frame frame;
  std::vector<int> hits(camera.width * camera.height, 0);
  for (const Eigen::Vector3i& tri : triangles) {
    const std::vector<Eigen::Vector3i> one = {tri};
    rasterizer.Render({&vertices, &one, nullptr}, camera, frame);
    for (int i = 0; i < frame.num_pixels(); ++i) hits[i] += frame.Covered(i) ? 1 : 0;
  }
  return hits;
}

// Camera in which camera-space (X, Y, 100) lands exactly on pixel (X, Y): vertices on the 1/256
// grid are then not moved by snapping, and exact integer geometry gives the ground truth.
Camera UnitCamera(int size) {
  Camera camera = Camera::ForImage(size, size, 100.0);
  camera.principal_point.setZero();
  return camera;
}

// Twice the signed area of (a, b, p) on the 1/256 grid, exact in int64.
int64_t Orient(const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Eigen::Vector2d& p) {
  auto q = [](double v) { return static_cast<int64_t>(std::llround(v * 256)); };
  return (q(b.x()) - q(a.x())) * (q(p.y()) - q(a.y())) -
         (q(b.y()) - q(a.y())) * (q(p.x()) - q(a.x()));
}

int Sign(int64_t v) { return (v > 0) - (v < 0); }

// Strictly inside triangle (a, b, c) of either orientation.
bool StrictlyInside(const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Eigen::Vector2d& c,
                    const Eigen::Vector2d& p) {
  const int s = Sign(Orient(a, b, c));
  return s != 0 && Sign(Orient(a, b, p)) == s && Sign(Orient(b, c, p)) == s &&
         Sign(Orient(c, a, p)) == s;
}

bool OutsideClosed(const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Eigen::Vector2d& c,
                   const Eigen::Vector2d& p) {
  const int s = Sign(Orient(a, b, c));
  return Sign(Orient(a, b, p)) == -s || Sign(Orient(b, c, p)) == -s || Sign(Orient(c, a, p)) == -s;
}

TEST(RasterizerTest, TrianglesSharingAnEdgeCoverTheUnionExactlyOnce) {
  constexpr int kSize = 24;
  const Camera camera = UnitCamera(kSize);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> grid(-2 * 256, (kSize + 2) * 256);
  std::uniform_int_distribution<int> integer(-2, kSize + 2);
  std::bernoulli_distribution on_centres(0.5);
  auto random_point = [&](bool centre) {
    return centre ? Eigen::Vector2d(integer(rng), integer(rng))
                  : Eigen::Vector2d(grid(rng) / 256.0, grid(rng) / 256.0);
  };
  int shared_edge_pixels = 0, on_edge_centres = 0;
  for (int trial = 0; trial < 1000; ++trial) {
    // Edges through pixel centres when both ends are on centres; also horizontal and vertical.
    const bool centres = on_centres(rng);
    const Eigen::Vector2d a = random_point(centres);
    Eigen::Vector2d b = random_point(centres);
    if (trial % 10 == 0) b.y() = a.y();
    if (trial % 10 == 1) b.x() = a.x();
    const Eigen::Vector2d c = random_point(on_centres(rng));
    const Eigen::Vector2d d = random_point(on_centres(rng));
    // c and d strictly on opposite sides of the line a b.
    if (Sign(Orient(a, b, c)) * Sign(Orient(a, b, d)) != -1) continue;
    Eigen::Matrix3Xd vertices(3, 4);
    for (int k = 0; k < 4; ++k) {
      const Eigen::Vector2d& p = k == 0 ? a : k == 1 ? b : k == 2 ? c : d;
      vertices.col(k) << p.x(), p.y(), 100.0;
    }
    // Both with the same orientation in 3D, as in a consistent mesh.
    const std::vector<Eigen::Vector3i> triangles = {{0, 1, 2}, {1, 0, 3}};
    const std::vector<int> hits = CountHits(vertices, triangles, camera);
    for (int y = 0; y < kSize; ++y) {
      for (int x = 0; x < kSize; ++x) {
        const Eigen::Vector2d p(x, y);
        const int count = hits[y * kSize + x];
        ASSERT_LE(count, 1) << "double hit at " << x << ", " << y << " in trial " << trial;
        const bool on_shared_edge =
            Orient(a, b, p) == 0 && (p - a).dot(b - a) > 0 && (p - b).dot(a - b) > 0;
        if (on_shared_edge) {
          ++on_edge_centres;
          ASSERT_EQ(count, 1) << "crack at " << x << ", " << y << " in trial " << trial;
        }
        if (StrictlyInside(a, b, c, p) || StrictlyInside(b, a, d, p)) {
          ASSERT_EQ(count, 1) << "hole at " << x << ", " << y << " in trial " << trial;
        }
        if (OutsideClosed(a, b, c, p) && OutsideClosed(b, a, d, p)) {
          ASSERT_EQ(count, 0) << "spill at " << x << ", " << y << " in trial " << trial;
        }
        shared_edge_pixels += on_shared_edge;
      }
    }
  }
  // The test must exercise pixel centres exactly on the shared edge.
  EXPECT_GT(on_edge_centres, 200);
  EXPECT_GT(shared_edge_pixels, 200);
}

// A jittered grid whose vertices are often exactly on pixel centres: every pixel centre inside the
// grid's outline is hit once, including those on shared vertices.
TEST(RasterizerTest, JitteredGridIsWatertight) {
  constexpr int kSize = 40, kCells = 8;
  const Camera camera = UnitCamera(kSize);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> jitter(-256, 256);
  std::bernoulli_distribution on_centre(0.5);
  const double cell = 36.0 / kCells;  // grid from 2 to 38
  Eigen::Matrix3Xd vertices(3, (kCells + 1) * (kCells + 1));
  for (int j = 0; j <= kCells; ++j) {
    for (int i = 0; i <= kCells; ++i) {
      Eigen::Vector2d p(2 + i * cell, 2 + j * cell);
      if (i > 0 && j > 0 && i < kCells && j < kCells) {
        if (on_centre(rng)) {
          p = p.array().round();
        } else {
          p += Eigen::Vector2d(jitter(rng), jitter(rng)) / 256.0;
        }
      }
      vertices.col(j * (kCells + 1) + i) << p.x(), p.y(), 100.0;
    }
  }
  std::vector<Eigen::Vector3i> triangles;
  for (int j = 0; j < kCells; ++j) {
    for (int i = 0; i < kCells; ++i) {
      const int a = j * (kCells + 1) + i;
      // Alternate the diagonal so that vertices are shared by 4 to 8 triangles.
      if ((i + j) % 2 == 0) {
        triangles.emplace_back(a, a + 1, a + kCells + 2);
        triangles.emplace_back(a, a + kCells + 2, a + kCells + 1);
      } else {
        triangles.emplace_back(a, a + 1, a + kCells + 1);
        triangles.emplace_back(a + 1, a + kCells + 2, a + kCells + 1);
      }
    }
  }
  const std::vector<int> hits = CountHits(vertices, triangles, camera);
  for (int y = 0; y < kSize; ++y) {
    for (int x = 0; x < kSize; ++x) {
      const int count = hits[y * kSize + x];
      if (x > 2 && x < 38 && y > 2 && y < 38) {
        EXPECT_EQ(count, 1) << x << ", " << y;
      } else {
        EXPECT_LE(count, 1) << x << ", " << y;
      }
    }
  }
}

// A grid whose columns and rows alternate between narrow and wide, so that triangles below the
// small-triangle limit (RasterOptions::small_triangle_pixels) share edges with triangles above it;
// inner vertices are on pixel centres or jittered on the 1/256 grid.
struct MixedGrid {
  Eigen::Matrix3Xd vertices;
  std::vector<Eigen::Vector3i> triangles;
};
MixedGrid MakeMixedGrid(std::mt19937& rng, const std::vector<double>& xs,
                        const std::vector<double>& ys) {
  std::uniform_int_distribution<int> jitter(-200, 200);
  std::bernoulli_distribution on_centre(0.3);
  const int nx = static_cast<int>(xs.size()), ny = static_cast<int>(ys.size());
  MixedGrid grid;
  grid.vertices.resize(3, nx * ny);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      Eigen::Vector2d p(xs[i], ys[j]);
      if (i > 0 && j > 0 && i + 1 < nx && j + 1 < ny) {
        p = on_centre(rng) ? Eigen::Vector2d(p.array().round())
                           : Eigen::Vector2d(p + Eigen::Vector2d(jitter(rng), jitter(rng)) / 256.0);
      }
      grid.vertices.col(j * nx + i) << p.x(), p.y(), 100.0;
    }
  }
  for (int j = 0; j + 1 < ny; ++j) {
    for (int i = 0; i + 1 < nx; ++i) {
      const int a = j * nx + i;
      if ((i + j) % 2 == 0) {
        grid.triangles.emplace_back(a, a + 1, a + nx + 1);
        grid.triangles.emplace_back(a, a + nx + 1, a + nx);
      } else {
        grid.triangles.emplace_back(a, a + 1, a + nx);
        grid.triangles.emplace_back(a + 1, a + nx + 1, a + nx);
      }
    }
  }
  return grid;
}

// Coordinates from `start` on, cell sizes following `pattern` (n: narrow, 1.5 to 6 pixels, m:
// medium, 9 to 20, w: wide, 66 to 80) until past `end`.
std::vector<double> MixedCoordinates(std::mt19937& rng, double start, double end,
                                     const std::string& pattern) {
  std::uniform_real_distribution<double> narrow(1.5, 6.0), medium(9.0, 20.0), wide(66.0, 80.0);
  std::vector<double> coordinates = {start};
  for (size_t i = 0; coordinates.back() < end; ++i) {
    const char kind = pattern[i % pattern.size()];
    coordinates.push_back(coordinates.back() + (kind == 'n'   ? narrow(rng)
                                                : kind == 'm' ? medium(rng)
                                                              : wide(rng)));
  }
  return coordinates;
}

// Triangles by the set-up their projected box selects: spanning less than the small limit each
// way, less than the medium one, or more.
std::array<int, 3> CountBySetUp(const MixedGrid& grid) {
  std::array<int, 3> counts = {0, 0, 0};
  for (const Eigen::Vector3i& tri : grid.triangles) {
    Eigen::Vector2d lo(1e9, 1e9), hi(-1e9, -1e9);
    for (int k = 0; k < 3; ++k) {
      lo = lo.cwiseMin(grid.vertices.col(tri[k]).head<2>());
      hi = hi.cwiseMax(grid.vertices.col(tri[k]).head<2>());
    }
    const double span = (hi - lo).maxCoeff();
    ++counts[span < RasterOptions::kMaxSmallTrianglePixels    ? 0
             : span < RasterOptions::kMaxMediumTrianglePixels ? 1
                                                              : 2];
  }
  return counts;
}

// Small triangles take a float set-up, medium ones int32, large ones int64: across the boundaries
// between them, pixels on shared edges and vertices are still drawn exactly once.
TEST(RasterizerTest, TrianglesOfAllSizesTogetherAreWatertight) {
  constexpr int kSize = 160;
  const Camera camera = UnitCamera(kSize);
  std::mt19937 rng(5);
  for (int trial = 0; trial < 6; ++trial) {
    const std::vector<double> xs = MixedCoordinates(rng, 2.0, 140.0, "nnmnnwnnmn");
    const std::vector<double> ys = MixedCoordinates(rng, 2.0, 140.0, "nmnnwnnmnn");
    const MixedGrid grid = MakeMixedGrid(rng, xs, ys);
    const std::array<int, 3> counts = CountBySetUp(grid);
    for (int count : counts) ASSERT_GT(count, 10);
    const std::vector<int> hits = CountHits(grid.vertices, grid.triangles, camera);
    // Inside the outline, whose vertices are not jittered.
    const double right = xs.back(), bottom = ys.back();
    for (int y = 0; y < kSize; ++y) {
      for (int x = 0; x < kSize; ++x) {
        const int count = hits[y * kSize + x];
        if (x > 2 && x < right && y > 2 && y < bottom) {
          ASSERT_EQ(count, 1) << x << ", " << y << " in trial " << trial;
        } else {
          ASSERT_LE(count, 1) << x << ", " << y << " in trial " << trial;
        }
      }
    }
  }
}

// Every set-up gives the same frame, bit for bit, whichever triangles it takes.
TEST(RasterizerTest, LeanSetUpsMatchTheGeneralOne) {
  auto expect_same = [](const Eigen::Matrix3Xd& vertices,
                        const std::vector<Eigen::Vector3i>& triangles,
                        const Eigen::Matrix3Xd& normals, const Camera& camera, bool cull) {
    RasterOptions general;
    general.cull_back_faces = cull;
    general.small_triangle_pixels = general.medium_triangle_pixels = 0;
    Frame reference;
    Rasterizer(general).Render({&vertices, &triangles, &normals}, camera, reference);
    ASSERT_GT(reference.CountCovered(), 0);
    for (const auto& [small, medium] : std::vector<std::pair<int, int>>{
             {RasterOptions::kMaxSmallTrianglePixels, RasterOptions::kMaxMediumTrianglePixels},
             {0, RasterOptions::kMaxMediumTrianglePixels},
             {RasterOptions::kMaxSmallTrianglePixels, 0}}) {
      SCOPED_TRACE(std::to_string(small) + " " + std::to_string(medium));
      RasterOptions lean = general;
      lean.small_triangle_pixels = small;
      lean.medium_triangle_pixels = medium;
      Frame frame;
      Rasterizer(lean).Render({&vertices, &triangles, &normals}, camera, frame);
      ASSERT_EQ(frame.triangle, reference.triangle);
      ASSERT_EQ(frame.depth, reference.depth);
      for (int i = 0; i < frame.num_pixels(); ++i) {
        if (!frame.Covered(i)) continue;
        ASSERT_EQ(frame.Barycentric(i), reference.Barycentric(i)) << i;
        ASSERT_EQ(frame.Normal(i), reference.Normal(i)) << i;
      }
    }
  };
  // Spheres of small and of medium triangles, front and back drawn or the back culled.
  const Camera camera = Camera::ForImage(128, 96, 300.0);
  for (int rings : {24, 6}) {
    const TestMesh sphere = MakeSphere({5, -3, 400}, 60, rings, 2 * rings);
    for (bool cull : {false, true}) {
      SCOPED_TRACE(std::to_string(rings) + (cull ? " culled" : ""));
      expect_same(sphere.vertices, sphere.triangles, sphere.normals, camera, cull);
    }
  }
  // All sizes, vertices on and off pixel centres; both orientations.
  std::mt19937 rng(9);
  MixedGrid grid = MakeMixedGrid(rng, MixedCoordinates(rng, 1.0, 140.0, "nmnnwnm"),
                                 MixedCoordinates(rng, 1.0, 140.0, "nnmwnmn"));
  for (int count : CountBySetUp(grid)) ASSERT_GT(count, 10);
  const Eigen::Matrix3Xd normals =
      Eigen::Matrix3Xd::Zero(3, grid.vertices.cols()).colwise() + Eigen::Vector3d(0, 0, -1);
  expect_same(grid.vertices, grid.triangles, normals, UnitCamera(160), false);
  for (Eigen::Vector3i& tri : grid.triangles) std::swap(tri[1], tri[2]);
  expect_same(grid.vertices, grid.triangles, normals, UnitCamera(160), false);
}

// Ray / box intersection (slab method) in the cube's frame; returns the entry distance along d.
bool HitBox(const Eigen::Vector3d& d, const Eigen::Matrix3d& rotation,
            const Eigen::Vector3d& centre, double h, double& t_entry) {
  const Eigen::Vector3d o = rotation.transpose() * (-centre);
  const Eigen::Vector3d dir = rotation.transpose() * d;
  double t0 = -1e300, t1 = 1e300;
  for (int k = 0; k < 3; ++k) {
    if (std::abs(dir[k]) < 1e-15) {
      if (std::abs(o[k]) > h) return false;
      continue;
    }
    double a = (-h - o[k]) / dir[k], b = (h - o[k]) / dir[k];
    if (a > b) std::swap(a, b);
    t0 = std::max(t0, a);
    t1 = std::min(t1, b);
  }
  t_entry = t0;
  return t0 <= t1 && t0 > 0;
}

TEST(RasterizerTest, CubeSeenFromACornerShowsExactlyTheThreeNearFaces) {
  const Camera camera = Camera::ForImage(160, 160, 250.0);
  // Turn the cube so that its (1, 1, 1) corner points at the camera (along -z).
  const Eigen::Matrix3d rotation =
      Eigen::Quaterniond::FromTwoVectors(Eigen::Vector3d(1, 1, 1).normalized(),
                                         Eigen::Vector3d(0, 0, -1))
          .toRotationMatrix();
  const Eigen::Vector3d centre(3, -2, 400);
  const double h = 50;
  const TestMesh cube = MakeCube(rotation, centre, h);
  for (const bool cull : {false, true}) {
    RasterOptions options;
    options.cull_back_faces = cull;
    const Frame frame = Render(cube, camera, options);
    std::array<int, 6> face_pixels{};
    for (int y = 0; y < frame.height; ++y) {
      for (int x = 0; x < frame.width; ++x) {
        const int i = frame.Index(x, y);
        double t = 0;
        const Eigen::Vector3d d = PixelRay(camera, x, y);
        const bool hits = HitBox(d, rotation, centre, h, t);
        if (!frame.Covered(i)) continue;
        ++face_pixels[frame.triangle[i] / 2];
        if (hits) {
          EXPECT_NEAR(frame.depth[i], t, 1e-3 * t) << x << ", " << y;
        }
      }
    }
    // Near faces are +x, +y, +z (0, 2, 4): their outward normals point at the corner we see.
    const int total = face_pixels[0] + face_pixels[2] + face_pixels[4];
    EXPECT_EQ(face_pixels[1] + face_pixels[3] + face_pixels[5], 0) << "cull " << cull;
    for (int f : {0, 2, 4}) {
      EXPECT_NEAR(face_pixels[f], total / 3.0, total * 0.03) << "face " << f << " cull " << cull;
    }
    EXPECT_GT(total, 3000);
  }
}

TEST(RasterizerTest, BackFaceCullingDropsOnlyFacesTurnedAway) {
  const Camera camera = Camera::ForImage(64, 64, 100.0);
  // u x v = +z: the front side faces away from the camera.
  const TestMesh away = MakeGridPlane({-100, -100, 200}, {200, 0, 0}, {0, 200, 0}, 2);
  const TestMesh towards = MakeGridPlane({-100, -100, 200}, {0, 200, 0}, {200, 0, 0}, 2);
  RasterOptions cull;
  cull.cull_back_faces = true;
  EXPECT_EQ(Render(away, camera, cull).CountCovered(), 0);
  EXPECT_EQ(Render(away, camera).CountCovered(), 64 * 64);
  EXPECT_EQ(Render(towards, camera, cull).CountCovered(), 64 * 64);
}

TEST(RasterizerTest, NothingInViewGivesAnEmptyFrame) {
  const Camera camera = Camera::ForImage(48, 32, 100.0);
  const TestMesh beside = MakeGridPlane({1000, 0, 100}, {0, 50, 0}, {50, 0, 0}, 3);
  const TestMesh behind = MakeGridPlane({-50, -50, -300}, {0, 100, 0}, {100, 0, 0}, 3);
  const TestMesh far_away = MakeSphere({0, 0, 1e7}, 1, 4, 8);  // smaller than a pixel
  for (const TestMesh* mesh : {&beside, &behind}) {
    const Frame frame = Render(*mesh, camera);
    EXPECT_EQ(frame.width, 48);
    EXPECT_EQ(frame.height, 32);
    EXPECT_EQ(frame.CountCovered(), 0);
    EXPECT_TRUE(
        std::all_of(frame.depth.begin(), frame.depth.end(), [](float z) { return z == 0; }));
  }
  EXPECT_LE(Render(far_away, camera).CountCovered(), 1);
}

// A floor below the camera from behind it to far ahead, two triangles: clipped at the near plane,
// the visible part matches the analytic floor and nothing nearer than the near plane is drawn.
TEST(RasterizerTest, NearPlaneClipsGeometryBehindTheCamera) {
  const Camera camera = Camera::ForImage(128, 96, 80.0);
  RasterOptions options;
  options.near_plane = 20.0;
  const double floor_y = 50;  // camera y points down
  const TestMesh floor = MakeGridPlane({-400, floor_y, -300}, {0, 0, 1300}, {800, 0, 0}, 1);
  const Frame frame = Render(floor, camera, options);
  int covered = 0;
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      const int i = frame.Index(x, y);
      const Eigen::Vector3d d = PixelRay(camera, x, y);
      const double z = d.y() > 0 ? floor_y / d.y() : -1;
      const double hit_x = z * d.x();
      const bool inside =
          z > options.near_plane * 1.05 && z < 1000 * 0.98 && std::abs(hit_x) < 400 * 0.98;
      const bool outside =
          z < options.near_plane * 0.95 || z > 1000 * 1.02 || std::abs(hit_x) > 400 * 1.02;
      if (inside) {
        EXPECT_TRUE(frame.Covered(i)) << x << ", " << y;
      }
      if (outside) {
        EXPECT_FALSE(frame.Covered(i)) << x << ", " << y;
      }
      if (!frame.Covered(i)) continue;
      ++covered;
      EXPECT_GE(frame.depth[i], options.near_plane * (1 - 1e-6));
      EXPECT_NEAR(frame.depth[i], z, 1e-3 * z) << x << ", " << y;
    }
  }
  EXPECT_GT(covered, 1000);
}

TEST(RasterizerTest, TriangleCrossingTheNearPlaneKeepsOnlyItsFrontPart) {
  const Camera camera = Camera::ForImage(64, 64, 50.0);
  RasterOptions options;
  options.near_plane = 100.0;
  // A triangle tilted in depth from z = 50 (left) to z = 150 (right).
  TestMesh mesh;
  mesh.vertices.resize(3, 3);
  mesh.vertices.col(0) << -100, -300, 50;
  mesh.vertices.col(1) << 100, -300, 150;
  mesh.vertices.col(2) << 100, 300, 150;
  mesh.triangles = {{0, 1, 2}};
  mesh.normals = Eigen::Vector3d(-1, 0, 3.3).normalized().replicate(1, 3);
  const Frame frame = Render(mesh, camera, options);
  ASSERT_GT(frame.CountCovered(), 100);
  for (int i = 0; i < frame.num_pixels(); ++i) {
    if (frame.Covered(i)) {
      EXPECT_GE(frame.depth[i], options.near_plane * (1 - 1e-6));
    }
  }
}

TEST(RasterizerTest, TrianglesLargerThanTheImageAreClippedToIt) {
  const Camera camera = Camera::ForImage(50, 40, 100.0);
  // One huge triangle, far beyond the guard band on every side.
  TestMesh mesh;
  mesh.vertices.resize(3, 3);
  mesh.vertices << -1e8, 1e8, 0, -1e8, -1e8, 1e8, 300, 300, 300;
  mesh.triangles = {{0, 2, 1}};
  mesh.normals = Eigen::Vector3d(0, 0, -1).replicate(1, 3);
  const Frame frame = Render(mesh, camera);
  EXPECT_EQ(frame.CountCovered(), 50 * 40);
  for (float z : frame.depth) EXPECT_NEAR(z, 300.0F, 1e-3F);
}

TEST(RasterizerTest, NearerSurfaceWins) {
  const Camera camera = Camera::ForImage(64, 64, 100.0);
  TestMesh mesh = MakeGridPlane({-100, -100, 300}, {0, 200, 0}, {200, 0, 0}, 1);
  const TestMesh front = MakeGridPlane({-10, -10, 200}, {0, 20, 0}, {20, 0, 0}, 1);
  // Append the small near square after the big plane.
  const int offset = static_cast<int>(mesh.vertices.cols());
  mesh.vertices.conservativeResize(3, offset + 4);
  mesh.vertices.rightCols(4) = front.vertices;
  mesh.normals.conservativeResize(3, offset + 4);
  mesh.normals.rightCols(4) = front.normals;
  for (const auto& t : front.triangles)
    mesh.triangles.push_back(t + Eigen::Vector3i::Constant(offset));
  const Frame frame = Render(mesh, camera);
  // Square spans [-10, 10] mm at z 200: pixels 31.5 +- 5.
  EXPECT_GE(frame.triangle[frame.Index(31, 31)], 2);
  EXPECT_NEAR(frame.depth[frame.Index(31, 31)], 200.0F, 1e-3F);
  EXPECT_LT(frame.triangle[frame.Index(5, 5)], 2);
  EXPECT_NEAR(frame.depth[frame.Index(5, 5)], 300.0F, 1e-3F);
}

TEST(RasterizerTest, ReusedFrameKeepsItsBuffersAndGivesTheSameResult) {
  const Camera camera = Camera::ForImage(96, 96, 300.0);
  const TestMesh sphere = MakeSphere({0, 0, 300}, 40, 16, 32);
  const TestMesh plane = MakeGridPlane({-5, -5, 100}, {0, 10, 0}, {10, 0, 0}, 1);
  Rasterizer rasterizer;
  Frame frame;
  rasterizer.Render(sphere.View(), camera, frame);
  const Plane<float> first_depth = frame.depth;
  const Plane<int32_t> first_ids = frame.triangle;
  const float* depth_buffer = frame.depth.data();
  const float* normal_buffer = frame.normal[2].data();
  rasterizer.Render(plane.View(), camera, frame);  // something else in between
  rasterizer.Render(sphere.View(), camera, frame);
  EXPECT_EQ(frame.depth.data(), depth_buffer);
  EXPECT_EQ(frame.normal[2].data(), normal_buffer);
  EXPECT_EQ(frame.depth, first_depth);
  EXPECT_EQ(frame.triangle, first_ids);
}

// The vector paths store eight floats at multiples of eight pixels: on planes starting at a cache
// line, such a store never straddles two lines.
TEST(RasterizerTest, FramePlanesStartOnCacheLines) {
  const Camera camera = Camera::ForImage(100, 60, 300.0);
  const TestMesh sphere = MakeSphere({0, 0, 300}, 40, 16, 32);
  Frame frame;
  Rasterizer().Render(sphere.View(), camera, frame);
  auto on_line = [](const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; };
  EXPECT_TRUE(on_line(frame.depth.data()));
  EXPECT_TRUE(on_line(frame.triangle.data()));
  for (int c = 0; c < 3; ++c) {
    EXPECT_TRUE(on_line(frame.barycentric[c].data())) << "barycentric " << c;
    EXPECT_TRUE(on_line(frame.normal[c].data())) << "normal " << c;
  }
}

// Reset clears only the box the last rendering drew: after a large mesh, a small one elsewhere,
// and a reset, the frame holds exactly what a fresh one would.
TEST(RasterizerTest, ReusedFrameKeepsNothingOfThePreviousRendering) {
  const Camera camera = Camera::ForImage(96, 80, 300.0);
  const TestMesh large = MakeSphere({0, 0, 300}, 60, 16, 32);
  const TestMesh small = MakeSphere({-40, 30, 300}, 6, 8, 16);
  Rasterizer rasterizer;
  Frame reused, fresh;
  rasterizer.Render(large.View(), camera, reused);
  ASSERT_GT(reused.CountCovered(), reused.num_pixels() / 2);
  rasterizer.Render(small.View(), camera, reused);
  Rasterizer().Render(small.View(), camera, fresh);
  ASSERT_GT(fresh.CountCovered(), 0);
  EXPECT_EQ(reused.triangle, fresh.triangle);
  EXPECT_EQ(reused.depth, fresh.depth);
  EXPECT_EQ(reused.drawn.x0, fresh.drawn.x0);
  EXPECT_EQ(reused.drawn.y1, fresh.drawn.y1);
  reused.Reset(camera.width, camera.height, true);
  EXPECT_EQ(reused.CountCovered(), 0);
  EXPECT_EQ(reused.depth, Plane<float>(reused.num_pixels(), 0.0F));
  EXPECT_GT(reused.drawn.x0, reused.drawn.x1);
}

TEST(RasterizerTest, NormalsAreOptional) {
  const Camera camera = Camera::ForImage(32, 32, 100.0);
  TestMesh plane = MakeGridPlane({-50, -50, 100}, {0, 100, 0}, {100, 0, 0}, 1);
  plane.normals.resize(3, 0);
  RasterOptions options;
  options.compute_normals = false;
  const Frame frame = Render(plane, camera, options);
  EXPECT_FALSE(frame.has_normals());
  EXPECT_EQ(frame.CountCovered(), 32 * 32);
  EXPECT_THROW(Render(plane, camera), Error);  // normals asked for, none given
}

TEST(RasterizerTest, RejectsInvalidInput) {
  RasterOptions bad;
  bad.near_plane = 0.0;
  EXPECT_THROW(Rasterizer{bad}, Error);
  for (int pixels : {-1, RasterOptions::kMaxSmallTrianglePixels + 1}) {
    RasterOptions beyond_float;
    beyond_float.small_triangle_pixels = pixels;
    EXPECT_THROW(Rasterizer{beyond_float}, Error) << pixels;
  }
  for (int pixels : {-1, RasterOptions::kMaxMediumTrianglePixels + 1}) {
    RasterOptions beyond_int32;
    beyond_int32.medium_triangle_pixels = pixels;
    EXPECT_THROW(Rasterizer{beyond_int32}, Error) << pixels;
  }
  const Camera camera = Camera::ForImage(32, 32, 100.0);
  TestMesh mesh = MakeGridPlane({-50, -50, 100}, {0, 100, 0}, {100, 0, 0}, 1);
  mesh.triangles.emplace_back(0, 1, 99);
  EXPECT_THROW(Render(mesh, camera), Error);
  mesh.triangles.pop_back();
  mesh.vertices(0, 0) = std::nan("");
  EXPECT_THROW(Render(mesh, camera), Error);
  EXPECT_THROW(Render(MakeSphere({0, 0, 100}, 1, 4, 4), Camera()), Error);  // 0 x 0 image
}

}  // namespace
}  // namespace morphfit::render
