#include "morphfit/render/visibility.h"

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "render/test_meshes.h"

namespace morphfit::render {
namespace {

using testing::MakeGridPlane;
using testing::MakeSphere;
using testing::TestMesh;

// A wall at z = 500 and a small square occluder at z = 300 in front of its middle.
struct OccluderScene {
  Camera camera = Camera::ForImage(200, 200, 250.0);
  TestMesh mesh;
  int wall_vertices = 0;
  OccluderScene() {
    mesh = MakeGridPlane({-300, -300, 500}, {0, 600, 0}, {600, 0, 0}, 30);
    wall_vertices = static_cast<int>(mesh.vertices.cols());
    const TestMesh square = MakeGridPlane({-60, -60, 300}, {0, 120, 0}, {120, 0, 0}, 4);
    mesh.vertices.conservativeResize(3, wall_vertices + square.vertices.cols());
    mesh.vertices.rightCols(square.vertices.cols()) = square.vertices;
    mesh.normals.conservativeResize(3, mesh.vertices.cols());
    mesh.normals.rightCols(square.vertices.cols()) = square.normals;
    for (const auto& t : square.triangles) {
      mesh.triangles.push_back(t + Eigen::Vector3i::Constant(wall_vertices));
    }
  }
};

TEST(VisibilityTest, VerticesBehindAnOccluderAreHidden) {
  OccluderScene scene;
  Frame frame;
  Rasterizer().Render(scene.mesh.View(), scene.camera, frame);
  const std::vector<bool> visible = VisibleVertices(scene.mesh.vertices, scene.camera, frame);
  int hidden = 0;
  for (int v = 0; v < scene.mesh.vertices.cols(); ++v) {
    if (v >= scene.wall_vertices) {
      EXPECT_TRUE(visible[v]) << "occluder vertex " << v;
      continue;
    }
    // The occluder's silhouette on the wall is [-100, 100] mm (scaled by 500 / 300).
    const Eigen::Vector3d p = scene.mesh.vertices.col(v);
    const Eigen::Vector2d pixel = scene.camera.Project(p);
    const bool in_image =
        pixel.x() > 0.5 && pixel.y() > 0.5 && pixel.x() < 198.5 && pixel.y() < 198.5;
    const double r = std::max(std::abs(p.x()), std::abs(p.y()));
    if (r < 95) {
      EXPECT_FALSE(visible[v]) << p.transpose();
      ++hidden;
    } else if (r > 105 && in_image) {
      EXPECT_TRUE(visible[v]) << p.transpose();
    }
    if (!in_image && (pixel.x() < -1 || pixel.y() < -1 || pixel.x() > 200 || pixel.y() > 200)) {
      EXPECT_FALSE(visible[v]) << "outside the image " << p.transpose();
    }
  }
  EXPECT_GT(hidden, 20);
}

TEST(VisibilityTest, TheFarSideOfASphereIsHidden) {
  const Camera camera = Camera::ForImage(160, 160, 300.0);
  const TestMesh sphere = MakeSphere({0, 0, 400}, 50, 24, 48);
  Frame frame;
  Rasterizer().Render(sphere.View(), camera, frame);
  const std::vector<bool> visible = VisibleVertices(sphere.vertices, camera, frame);
  for (int v = 0; v < sphere.vertices.cols(); ++v) {
    const Eigen::Vector3d p = sphere.vertices.col(v);
    const double facing = -sphere.normals.col(v).dot(p.normalized());
    if (facing > 0.1) {
      EXPECT_TRUE(visible[v]) << v;
    }
    // Just behind the silhouette a vertex projects onto the outline itself (facing -0.1 is 0.2
    // pixel inside it here), where no depth map can tell; from facing -0.4 it is 2 pixels inside.
    if (facing < -0.4) {
      EXPECT_FALSE(visible[v]) << v;
    }
  }
}

TEST(VisibleSamplesTest, SamplesAreTheCoveredPixelsOnAGrid) {
  OccluderScene scene;
  Frame frame;
  Rasterizer().Render(scene.mesh.View(), scene.camera, frame);
  const std::vector<SurfaceSample> all = VisibleSamples(frame);
  EXPECT_EQ(static_cast<int>(all.size()), frame.CountCovered());
  for (const SurfaceSample& s : all) {
    const int i = frame.Index(s.x, s.y);
    ASSERT_EQ(s.triangle, frame.triangle[i]);
    ASSERT_EQ(s.barycentric, frame.Barycentric(i));
  }
  SampleOptions options;
  options.stride = 3;
  const std::vector<SurfaceSample> grid = VisibleSamples(frame, options);
  int expected = 0;
  for (int y = 0; y < frame.height; y += 3) {
    for (int x = 0; x < frame.width; x += 3) expected += frame.Covered(x, y);
  }
  EXPECT_EQ(static_cast<int>(grid.size()), expected);
  for (const SurfaceSample& s : grid) EXPECT_TRUE(s.x % 3 == 0 && s.y % 3 == 0);
  options.max_count = 100;
  const std::vector<SurfaceSample> few = VisibleSamples(frame, options);
  ASSERT_EQ(few.size(), 100U);
  EXPECT_EQ(few.front().x, grid.front().x);
  EXPECT_EQ(few.front().y, grid.front().y);
  // Evenly spread: the last one is near the end of the full list.
  EXPECT_GT(few.back().y, grid[grid.size() * 9 / 10].y - 1);
  options.stride = 0;
  EXPECT_THROW(VisibleSamples(frame, options), Error);
}

TEST(VisibleSamplesTest, MinFacingDropsGrazingPixels) {
  const Camera camera = Camera::ForImage(160, 160, 300.0);
  const TestMesh sphere = MakeSphere({0, 0, 400}, 50, 48, 96);
  Frame frame;
  Rasterizer().Render(sphere.View(), camera, frame);
  SampleOptions options;
  options.min_facing = 0.5;
  const std::vector<SurfaceSample> samples = VisibleSamples(frame, options);
  EXPECT_GT(samples.size(), 100U);
  EXPECT_LT(samples.size(), static_cast<size_t>(frame.CountCovered()));
  for (const SurfaceSample& s : samples) {
    const Eigen::Vector3d n = frame.Normal(frame.Index(s.x, s.y)).cast<double>();
    EXPECT_GE(-n.dot(frame.RayDirection(s.x, s.y)), 0.5);
  }
}

}  // namespace
}  // namespace morphfit::render
