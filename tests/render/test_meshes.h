#pragma once

#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Geometry>

#include "morphfit/render/camera.h"
#include "morphfit/render/frame.h"
#include "morphfit/render/rasterizer.h"

namespace morphfit::testing {

// A camera-space mesh with its own storage.
struct TestMesh {
  Eigen::Matrix3Xd vertices;
  std::vector<Eigen::Vector3i> triangles;
  Eigen::Matrix3Xd normals;
  render::CameraSpaceMesh View() const { return {&vertices, &triangles, &normals}; }
};

// A rectangle origin + s u + t v for s, t in [0, 1], split into n x n quads of two triangles,
// counter-clockwise seen from the side u x v points to. Vertex normals are normalize(u x v).
inline TestMesh MakeGridPlane(const Eigen::Vector3d& origin, const Eigen::Vector3d& u,
                              const Eigen::Vector3d& v, int n) {
  TestMesh mesh;
  mesh.vertices.resize(3, (n + 1) * (n + 1));
  for (int j = 0; j <= n; ++j) {
    for (int i = 0; i <= n; ++i) {
      mesh.vertices.col(j * (n + 1) + i) = origin + (double(i) / n) * u + (double(j) / n) * v;
    }
  }
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const int a = j * (n + 1) + i;
      mesh.triangles.emplace_back(a, a + 1, a + n + 2);
      mesh.triangles.emplace_back(a, a + n + 2, a + n + 1);
    }
  }
  const Eigen::Vector3d normal = u.cross(v).normalized();
  mesh.normals = normal.replicate(1, mesh.vertices.cols());
  return mesh;
}

// A UV sphere (rings x segments), outward counter-clockwise, with the exact unit normals at its
// vertices.
inline TestMesh MakeSphere(const Eigen::Vector3d& centre, double radius, int rings, int segments) {
  TestMesh mesh;
  std::vector<Eigen::Vector3d> directions;
  directions.emplace_back(0, 0, 1);
  for (int r = 1; r < rings; ++r) {
    const double theta = M_PI * r / rings;
    for (int s = 0; s < segments; ++s) {
      const double phi = 2 * M_PI * s / segments;
      directions.emplace_back(std::sin(theta) * std::cos(phi), std::sin(theta) * std::sin(phi),
                              std::cos(theta));
    }
  }
  directions.emplace_back(0, 0, -1);
  const int south = static_cast<int>(directions.size()) - 1;
  mesh.vertices.resize(3, directions.size());
  mesh.normals.resize(3, directions.size());
  for (size_t i = 0; i < directions.size(); ++i) {
    mesh.vertices.col(i) = centre + radius * directions[i];
    mesh.normals.col(i) = directions[i];
  }
  auto ring_vertex = [&](int r, int s) { return 1 + (r - 1) * segments + (s % segments); };
  for (int s = 0; s < segments; ++s) {
    mesh.triangles.emplace_back(0, ring_vertex(1, s), ring_vertex(1, s + 1));
    for (int r = 1; r + 1 < rings; ++r) {
      const int a = ring_vertex(r, s), b = ring_vertex(r, s + 1);
      const int c = ring_vertex(r + 1, s), d = ring_vertex(r + 1, s + 1);
      mesh.triangles.emplace_back(a, c, d);
      mesh.triangles.emplace_back(a, d, b);
    }
    mesh.triangles.emplace_back(south, ring_vertex(rings - 1, s + 1), ring_vertex(rings - 1, s));
  }
  return mesh;
}

// An axis-aligned cube of half-size h around the origin, rotated by `rotation` and moved to
// `centre`; 12 triangles, outward counter-clockwise; face f (0..5: +x, -x, +y, -y, +z, -z) owns
// triangles 2f and 2f + 1. Faces do not share vertices (24), so vertex normals are face normals.
inline TestMesh MakeCube(const Eigen::Matrix3d& rotation, const Eigen::Vector3d& centre, double h) {
  TestMesh mesh;
  mesh.vertices.resize(3, 24);
  mesh.normals.resize(3, 24);
  for (int f = 0; f < 6; ++f) {
    const int axis = f / 2;
    const double sign = f % 2 == 0 ? 1.0 : -1.0;
    Eigen::Vector3d n = Eigen::Vector3d::Zero();
    n[axis] = sign;
    // Two in-face axes with a x b = n.
    Eigen::Vector3d a = Eigen::Vector3d::Zero(), b = Eigen::Vector3d::Zero();
    a[(axis + 1) % 3] = 1.0;
    b[(axis + 2) % 3] = sign;
    const Eigen::Vector3d corners[4] = {n - a - b, n + a - b, n + a + b, n - a + b};
    for (int k = 0; k < 4; ++k) {
      mesh.vertices.col(4 * f + k) = rotation * (h * corners[k]) + centre;
      mesh.normals.col(4 * f + k) = rotation * n;
    }
    mesh.triangles.emplace_back(4 * f, 4 * f + 1, 4 * f + 2);
    mesh.triangles.emplace_back(4 * f, 4 * f + 2, 4 * f + 3);
  }
  return mesh;
}

// The direction of the ray through pixel centre (x, y), scaled to z = 1.
inline Eigen::Vector3d PixelRay(const render::Camera& camera, int x, int y) {
  return {(x - camera.principal_point.x()) / camera.focal,
          (y - camera.principal_point.y()) / camera.focal, 1.0};
}

inline double AngleDegrees(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  return std::atan2(a.cross(b).norm(), a.dot(b)) * 180.0 / M_PI;
}

}  // namespace morphfit::testing
