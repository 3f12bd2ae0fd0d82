#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

namespace morphfit::model {

// A triangle mesh to write: 3 x N positions, optional 3 x N normals and 3 x N colours in [0, 1].
struct MeshView {
  const Eigen::Matrix3Xd* vertices = nullptr;
  const std::vector<Eigen::Vector3i>* triangles = nullptr;
  const Eigen::Matrix3Xd* normals = nullptr;  // optional
  const Eigen::Matrix3Xd* colors = nullptr;   // optional
};

// Wavefront OBJ (colours as the common "v x y z r g b" extension), numbers in float precision
// (the shortest text that reads back to the same float), faces "f a b c" or "f a//a b//b c//c"
// with normals. Written atomically.
void WriteObj(const std::string& path, const MeshView& mesh);
// Binary little-endian PLY: float x y z [nx ny nz] [uchar red green blue], faces as
// "list uchar int". Written atomically.
void WritePly(const std::string& path, const MeshView& mesh);

// Reads the positions and faces of an OBJ file (polygons are fan-triangulated).
void ReadObj(const std::string& path, Eigen::Matrix3Xd& vertices,
             std::vector<Eigen::Vector3i>& triangles);

}  // namespace morphfit::model
