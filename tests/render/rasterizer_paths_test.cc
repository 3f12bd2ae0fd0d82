// The rasterizer's alternative code paths (AVX2 chosen at run time, SSE otherwise) give the same
// frame, bit for bit, on the SFM face and on random triangle soups.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/rasterizer.h"
#include "render/test_meshes.h"
#include "shared_data.h"

namespace morphfit::render {
namespace {

using testing::TestMesh;

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

// Same coverage, ids and depth everywhere; same barycentrics and normals wherever covered (they
// are unspecified elsewhere).
void ExpectSameFrame(const Frame& frame, const Frame& reference) {
  ASSERT_EQ(frame.width, reference.width);
  ASSERT_EQ(frame.height, reference.height);
  ASSERT_EQ(frame.triangle, reference.triangle);
  ASSERT_EQ(frame.has_normals(), reference.has_normals());
  for (int i = 0; i < frame.num_pixels(); ++i) {
    ASSERT_TRUE(SameBits(frame.depth[i], reference.depth[i])) << "pixel " << i;
    if (!frame.Covered(i)) continue;
    for (int c = 0; c < 3; ++c) {
      ASSERT_TRUE(SameBits(frame.barycentric[c][i], reference.barycentric[c][i]))
          << "pixel " << i << " barycentric " << c;
      if (frame.has_normals()) {
        ASSERT_TRUE(SameBits(frame.normal[c][i], reference.normal[c][i]))
            << "pixel " << i << " normal " << c;
      }
    }
  }
}

// Renders `mesh` with the AVX2 paths and without, twice each into reused frames (a reused frame
// must not remember anything), and expects the same frames. Skips where the CPU has no AVX2.
void ExpectAvx2MatchesSse(const CameraSpaceMesh& mesh, const Camera& camera,
                          RasterOptions options) {
  options.allow_avx2 = false;
  Rasterizer sse(options);
  options.allow_avx2 = true;
  Rasterizer avx2(options);
  ASSERT_FALSE(sse.uses_avx2());
  if (!avx2.uses_avx2()) GTEST_SKIP() << "the CPU has no AVX2";
  Frame reference, frame;
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE("pass " + std::to_string(pass));
    sse.Render(mesh, camera, reference);
    avx2.Render(mesh, camera, frame);
    ASSERT_GT(reference.CountCovered(), 0);
    ExpectSameFrame(frame, reference);
  }
}

const model::MorphableModel& Sfm() {
  static const model::MorphableModel model =
      model::LoadModelDirectory(morphfit::testing::RequireSharedPath("models/sfm"));
  return model;
}

TEST(RasterizerPathsTest, Avx2MatchesSseOnTheFace) {
  const model::MorphableModel& model = Sfm();
  const Eigen::Matrix3Xd model_vertices = model.InstanceVertices({}, {});
  const Eigen::Matrix3Xd model_normals = model::VertexNormals(model_vertices, model.triangles);
  // Sizes not a multiple of the vector widths, the face small, half the image, and cut by the
  // image border; turned so that silhouettes and back faces are drawn, and culled.
  struct View {
    int width, height;
    double yaw, pitch, distance;
    bool cull;
  };
  for (const View& view : {View{256, 256, 0, 0, 560, false}, View{203, 150, 40, 10, 400, false},
                           View{1024, 1024, -70, -15, 500, true}, View{97, 61, 180, 0, 90, false},
                           View{640, 480, 25, 20, 300, false}}) {
    SCOPED_TRACE(std::to_string(view.width) + " x " + std::to_string(view.height) + " yaw " +
                 std::to_string(view.yaw));
    Camera camera = Camera::ForImage(view.width, view.height, view.width);
    camera.rotation = RotationFromYawPitchRoll(view.yaw, view.pitch, 0);
    camera.translation = Eigen::Vector3d(0, 0, view.distance);
    Eigen::Matrix3Xd vertices, normals;
    TransformToCamera(camera, model_vertices, vertices);
    RotateNormals(camera, model_normals, normals);
    RasterOptions options;
    options.cull_back_faces = view.cull;
    ExpectAvx2MatchesSse({&vertices, &model.triangles, &normals}, camera, options);
    options.compute_normals = false;
    ExpectAvx2MatchesSse({&vertices, &model.triangles, nullptr}, camera, options);
  }
}

// Overlapping triangles of every size, from below a pixel to larger than the image, some crossing
// the near plane or the image border, in random depths and orientations.
TestMesh MakeTriangleSoup(std::mt19937& rng, int count, const Camera& camera) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> depth(5.0, 400.0);
  std::uniform_real_distribution<double> log_size(std::log(0.3), std::log(400.0));
  std::normal_distribution<double> gaussian(0.0, 1.0);
  TestMesh soup;
  soup.vertices.resize(3, 3 * count);
  soup.normals.resize(3, 3 * count);
  for (int t = 0; t < count; ++t) {
    const double z = depth(rng);
    const double size = std::exp(log_size(rng));
    const Eigen::Vector2d centre((unit(rng) * 1.2 - 0.1) * camera.width,
                                 (unit(rng) * 1.2 - 0.1) * camera.height);
    for (int k = 0; k < 3; ++k) {
      const Eigen::Vector2d pixel = centre + size * Eigen::Vector2d(gaussian(rng), gaussian(rng));
      const double vertex_z = z * (1.0 + 0.3 * gaussian(rng));
      soup.vertices.col(3 * t + k) =
          vertex_z * Eigen::Vector3d((pixel.x() - camera.principal_point.x()) / camera.focal,
                                     (pixel.y() - camera.principal_point.y()) / camera.focal, 1.0);
      soup.normals.col(3 * t + k) =
          Eigen::Vector3d(gaussian(rng), gaussian(rng), -2.0 - unit(rng)).normalized();
    }
    soup.triangles.emplace_back(3 * t, 3 * t + 1, 3 * t + 2);
  }
  return soup;
}

TEST(RasterizerPathsTest, Avx2MatchesSseOnTriangleSoups) {
  std::mt19937 rng(17);
  for (int trial = 0; trial < 12; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const Camera camera = Camera::ForImage(61 + 37 * trial, 45 + 23 * trial, 80.0 + 20 * trial);
    const TestMesh soup = MakeTriangleSoup(rng, 300, camera);
    RasterOptions options;
    options.near_plane = 20.0;  // some vertices lie in front of it
    options.cull_back_faces = trial % 3 == 2;
    ExpectAvx2MatchesSse(soup.View(), camera, options);
  }
}

// Triangles on one plane: large ones over the whole image, and many small ones (under 8 pixels,
// which the AVX2 path sets up eight at a time) with medium ones and triangles crossing the near
// plane (drawn as clipped pieces) among them; both windings, some degenerate. On a tilted plane,
// where a small triangle overlaps a large one their inverse depths differ only by rounding, so the
// depth test's winner depends on the last bit of each: the AVX2 set-up must round exactly as the
// SSE one. On a plane facing the camera at 256 mm (tilt 0; no large triangles then) inverse depths
// tie exactly at many pixels and the order of drawing decides: each medium triangle is put over
// the small one before it. The large triangles' ids go to `large`.
TestMesh MakeCoplanarOverlaps(std::mt19937& rng, const Camera& camera, double tilt,
                              std::vector<int32_t>& large) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto on_plane = [&](double u, double v) {  // the plane's point seen at pixel (u, v)
    const Eigen::Vector3d ray((u - camera.principal_point.x()) / camera.focal,
                              (v - camera.principal_point.y()) / camera.focal, 1.0);
    return Eigen::Vector3d(256.0 / (1.0 - tilt * (0.3 * ray.x() + 0.2 * ray.y())) * ray);
  };
  TestMesh mesh;
  std::vector<Eigen::Vector3d> vertices;
  auto add = [&](const Eigen::Vector3d& a, const Eigen::Vector3d& b, const Eigen::Vector3d& c) {
    const int first = static_cast<int>(vertices.size());
    vertices.insert(vertices.end(), {a, b, c});
    if (unit(rng) < 0.5) {
      mesh.triangles.emplace_back(first, first + 1, first + 2);
    } else {
      mesh.triangles.emplace_back(first, first + 2, first + 1);
    }
  };
  auto add_at = [&](double u, double v, double size) {
    add(on_plane(u, v), on_plane(u + size * unit(rng), v + size * unit(rng)),
        on_plane(u + size * unit(rng), v + size * unit(rng)));
  };
  const double w = camera.width, h = camera.height;
  auto add_large = [&] {
    if (tilt == 0.0) return;
    large.push_back(static_cast<int32_t>(mesh.triangles.size()));
    large.push_back(large.back() + 1);
    add(on_plane(-w, -h), on_plane(3 * w, -h), on_plane(-w, 3 * h));
    add(on_plane(3 * w, -h), on_plane(3 * w, 3 * h), on_plane(-w, 3 * h));
  };
  add_large();
  for (int i = 0; i < 600; ++i) {
    const double u = (unit(rng) * 1.1 - 0.05) * w, v = (unit(rng) * 1.1 - 0.05) * h;
    const double kind = unit(rng);
    if (kind < 0.8) {
      add_at(u, v, 1.0 + 6.5 * unit(rng));
    } else if (kind < 0.85) {
      const double d = 1.0 + 6.0 * unit(rng);  // collinear corners
      add(on_plane(u, v), on_plane(u + d, v + 0.5 * d), on_plane(u + 2 * d, v + d));
    } else if (kind < 0.95) {  // a small triangle, then a medium one over it
      add(on_plane(u, v), on_plane(u + 4, v), on_plane(u, v + 4));
      const double size = 10.0 + 30.0 * unit(rng);
      add(on_plane(u - 2, v - 2), on_plane(u + size, v - 2), on_plane(u - 2, v + size));
    } else {
      add(on_plane(u, v), on_plane(u + 5, v + 3), Eigen::Vector3d(0.1 * (u - w / 2), 5, 2));
    }
    if (i == 300) add_large();
  }
  mesh.vertices.resize(3, static_cast<int>(vertices.size()));
  for (size_t i = 0; i < vertices.size(); ++i) mesh.vertices.col(static_cast<int>(i)) = vertices[i];
  mesh.normals = Eigen::Vector3d(0.3, 0.2, -1.0).normalized().replicate(1, mesh.vertices.cols());
  return mesh;
}

TEST(RasterizerPathsTest, Avx2MatchesSseOnCoplanarOverlaps) {
  std::mt19937 rng(5);
  // The narrow image puts blocks of four pixels past its left border (drawn by the general path).
  for (const auto& [width, height, tilt] :
       std::vector<std::tuple<int, int, double>>{{160, 120, 1.0}, {160, 120, 0.0}, {7, 90, 1.0}}) {
    SCOPED_TRACE(std::to_string(width) + " x " + std::to_string(height) + " tilt " +
                 std::to_string(tilt));
    const Camera camera = Camera::ForImage(width, height, 200.0);
    std::vector<int32_t> large;
    const TestMesh mesh = MakeCoplanarOverlaps(rng, camera, tilt, large);
    for (bool cull : {false, true}) {
      RasterOptions options;
      options.near_plane = 10.0;
      options.cull_back_faces = cull;
      ExpectAvx2MatchesSse(mesh.View(), camera, options);
      if (cull || tilt == 0.0) continue;
      // The comparison can fail: by rounding, the large triangles keep some of the pixels they
      // share with the others, and lose others.
      Frame frame;
      Rasterizer(options).Render(mesh.View(), camera, frame);
      int kept_by_large = 0;
      for (int i = 0; i < frame.num_pixels(); ++i) {
        kept_by_large += std::count(large.begin(), large.end(), frame.triangle[i]) > 0 ? 1 : 0;
      }
      EXPECT_GT(kept_by_large, frame.num_pixels() / 20);
      EXPECT_LT(kept_by_large, frame.num_pixels() * 19 / 20);
    }
  }
}

// Small right triangles whose corners project exactly half-way between two fixed-point positions
// (1/512 pixel off a pixel centre, either side, also left of and above the image), so that the
// rounding of every corner decides which pixels on its edges are covered: the AVX2 projection
// must round as std::llround does, in every lane.
TEST(RasterizerPathsTest, Avx2MatchesSseOnRoundingTies) {
  Camera camera = Camera::ForImage(41, 37, 64.0);
  camera.principal_point = Eigen::Vector2d(20.0, 16.0);
  constexpr double kDepth = 2.0;  // powers of two: the projection below is exact
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> pixel_x(-4, camera.width + 3), pixel_y(-4, camera.height + 3);
  std::uniform_int_distribution<int> size(1, 6), side(0, 1);
  auto tie = [&](int pixel) { return pixel + (side(rng) == 0 ? -1.0 : 1.0) / 512.0; };
  auto corner = [&](double u, double v) {  // the camera-space point seen at pixel (u, v)
    return Eigen::Vector3d((u - camera.principal_point.x()) * kDepth / camera.focal,
                           (v - camera.principal_point.y()) * kDepth / camera.focal, kDepth);
  };
  TestMesh mesh;
  constexpr int kTriangles = 403;
  mesh.vertices.resize(3, 3 * kTriangles);
  for (int t = 0; t < kTriangles; ++t) {
    const int x = pixel_x(rng), y = pixel_y(rng), w = size(rng), h = size(rng);
    mesh.vertices.col(3 * t) = corner(tie(x), tie(y));
    mesh.vertices.col(3 * t + 1) = corner(tie(x + w), tie(y));
    mesh.vertices.col(3 * t + 2) = corner(tie(x), tie(y + h));
    if (side(rng) == 0) {  // either winding
      mesh.triangles.emplace_back(3 * t, 3 * t + 1, 3 * t + 2);
    } else {
      mesh.triangles.emplace_back(3 * t, 3 * t + 2, 3 * t + 1);
    }
  }
  mesh.normals = Eigen::Vector3d(0, 0, -1).replicate(1, mesh.vertices.cols());
  // The projection is exact: each corner lies on a tie.
  const Eigen::Vector2d first = camera.Project(mesh.vertices.col(0));
  ASSERT_EQ(std::abs(first.x() * 256.0 - std::round(first.x() * 256.0)), 0.5);
  ExpectAvx2MatchesSse(mesh.View(), camera, RasterOptions());
}

// What the message of the error of `render` is ("" when it throws none).
template <typename Render>
std::string ErrorOf(Render render) {
  try {
    render();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// A corner index out of range, or a non-finite vertex, anywhere (every lane position of the AVX2
// paths, and the rest past them) gives the same error on every path.
TEST(RasterizerPathsTest, BadMeshesGiveTheSameErrorOnEveryPath) {
  const Camera camera = Camera::ForImage(32, 32, 100.0);
  const TestMesh mesh = testing::MakeGridPlane({-50, -50, 100}, {0, 100, 0}, {100, 0, 0}, 4);
  const int num_vertices = static_cast<int>(mesh.vertices.cols());
  ASSERT_EQ(mesh.triangles.size(), 32U);
  ASSERT_EQ(num_vertices, 25);
  for (bool allow_avx2 : {false, true}) {
    SCOPED_TRACE(allow_avx2 ? "AVX2 allowed" : "SSE");
    RasterOptions options;
    options.allow_avx2 = allow_avx2;
    Rasterizer rasterizer(options);
    Frame frame;
    rasterizer.Render(mesh.View(), camera, frame);
    ASSERT_GT(frame.CountCovered(), 0);
    for (int t = 0; t < 32; ++t) {
      for (int k = 0; k < 3; ++k) {
        for (int bad : {-1, num_vertices, std::numeric_limits<int>::max()}) {
          TestMesh broken = mesh;
          broken.triangles[t][k] = bad;
          EXPECT_EQ(
              ErrorOf([&] { rasterizer.Render(broken.View(), camera, frame); }),
              "rasterizer: triangle " + std::to_string(t) + " refers to a vertex outside 0..24")
              << "triangle " << t << " corner " << k << " index " << bad;
        }
      }
    }
    for (int v = 0; v < num_vertices; ++v) {
      for (int c = 0; c < 3; ++c) {
        for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
          TestMesh broken = mesh;
          broken.vertices(c, v) = bad;
          EXPECT_EQ(ErrorOf([&] { rasterizer.Render(broken.View(), camera, frame); }),
                    "rasterizer: the mesh has non-finite vertices")
              << "vertex " << v << " coordinate " << c << " value " << bad;
        }
      }
    }
  }
}

// A wide image is drawn in many bands of rows (each clearing what the previous rendering drew
// there just before drawing): a reused frame then holds exactly what a fresh one would, also after
// a rendering that failed.
TEST(RasterizerPathsTest, ReusedFrameDrawnInBandsKeepsNothingStale) {
  const Camera camera = Camera::ForImage(2048, 203, 900.0);
  const TestMesh large = testing::MakeSphere({0, 0, 300}, 60, 24, 48);
  const TestMesh small = testing::MakeSphere({-200, 20, 300}, 12, 8, 16);
  TestMesh broken = small;
  broken.triangles.emplace_back(0, 1, static_cast<int>(broken.vertices.cols()));
  for (bool allow_avx2 : {false, true}) {
    SCOPED_TRACE(allow_avx2 ? "AVX2 allowed" : "SSE");
    RasterOptions options;
    options.allow_avx2 = allow_avx2;
    Rasterizer rasterizer(options);
    Frame reused, fresh;
    rasterizer.Render(large.View(), camera, reused);
    ASSERT_GT(reused.drawn.y1 - reused.drawn.y0, 150);  // the sphere spans many bands
    rasterizer.Render(small.View(), camera, reused);
    Rasterizer(options).Render(small.View(), camera, fresh);
    ASSERT_GT(fresh.CountCovered(), 0);
    EXPECT_EQ(reused.triangle, fresh.triangle);
    EXPECT_EQ(reused.depth, fresh.depth);

    rasterizer.Render(large.View(), camera, reused);
    EXPECT_THROW(rasterizer.Render(broken.View(), camera, reused), Error);
    reused.Reset(camera.width, camera.height, true);
    EXPECT_EQ(reused.CountCovered(), 0);
    EXPECT_EQ(reused.depth, Plane<float>(reused.num_pixels(), 0.0F));
  }
}

}  // namespace
}  // namespace morphfit::render
