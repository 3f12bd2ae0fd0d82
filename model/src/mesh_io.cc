#include "morphfit/model/mesh_io.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"

namespace morphfit::model {

namespace {

// Checks that the optional parts match the positions and every index is a vertex.
void CheckMesh(const std::string& path, const MeshView& mesh) {
  if (mesh.vertices == nullptr || mesh.triangles == nullptr) {
    throw FileError(path, "mesh to write has no vertices or no triangle list");
  }
  const Eigen::Index n = mesh.vertices->cols();
  auto check_columns = [&](const Eigen::Matrix3Xd* part, const char* what) {
    if (part != nullptr && part->cols() != n) {
      throw FileError(path, std::to_string(part->cols()) + " " + what + " for " +
                                std::to_string(n) + " vertices");
    }
  };
  check_columns(mesh.normals, "normals");
  check_columns(mesh.colors, "colours");
  for (size_t t = 0; t < mesh.triangles->size(); ++t) {
    const Eigen::Vector3i& triangle = (*mesh.triangles)[t];
    if (triangle.minCoeff() < 0 || triangle.maxCoeff() >= n) {
      throw FileError(path, "triangle " + std::to_string(t) + " refers to a vertex outside 0.." +
                                std::to_string(n - 1));
    }
  }
}

// The shortest text that reads back to the same float, independent of the locale. Float
// precision (7 digits; under a micrometre on a face) keeps a mesh file half the size of a
// full-precision one, which counts over a dataset of tens of thousands of fits.
void AppendNumber(std::string& out, double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<float>(value));
  out.append(buffer, result.ptr);
}

void AppendTriple(std::string& out, const char* tag, const Eigen::Vector3d& values) {
  out += tag;
  for (int d = 0; d < 3; ++d) {
    out += ' ';
    AppendNumber(out, values[d]);
  }
}

uint8_t ColorByte(double value) {
  return static_cast<uint8_t>(std::lround(std::clamp(value, 0.0, 1.0) * 255.0));
}

// Little-endian regardless of the host.
void AppendUint32(std::string& out, uint32_t bits) {
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((bits >> shift) & 0xffu);
}

void AppendFloat(std::string& out, double value) {
  const float single = static_cast<float>(value);
  uint32_t bits = 0;
  std::memcpy(&bits, &single, sizeof(bits));
  AppendUint32(out, bits);
}

// Parses an OBJ face corner "v", "v/t", "v//n" or "v/t/n" into a 0-based vertex index.
int ParseFaceCorner(const std::string& token, int num_vertices, const std::string& where) {
  const std::string index_text = token.substr(0, token.find('/'));
  int index = 0;
  const auto result =
      std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
  if (result.ec != std::errc() || result.ptr != index_text.data() + index_text.size() ||
      index == 0) {
    throw Error(where + ": '" + token + "' is not a face corner (1-based vertex index)");
  }
  // Negative indices count back from the last vertex read so far.
  const int zero_based = index > 0 ? index - 1 : num_vertices + index;
  if (zero_based < 0 || zero_based >= num_vertices) {
    throw Error(where + ": face refers to vertex " + std::to_string(index) + ", only " +
                std::to_string(num_vertices) + " defined before it");
  }
  return zero_based;
}

}  // namespace

void WriteObj(const std::string& path, const MeshView& mesh) {
  CheckMesh(path, mesh);
  const Eigen::Matrix3Xd& vertices = *mesh.vertices;
  std::string text;
  text.reserve(static_cast<size_t>(vertices.cols()) * 120 + mesh.triangles->size() * 40);
  for (Eigen::Index v = 0; v < vertices.cols(); ++v) {
    AppendTriple(text, "v", vertices.col(v));
    if (mesh.colors != nullptr) {
      for (int d = 0; d < 3; ++d) {
        text += ' ';
        AppendNumber(text, (*mesh.colors)(d, v));
      }
    }
    text += '\n';
  }
  if (mesh.normals != nullptr) {
    for (Eigen::Index v = 0; v < vertices.cols(); ++v) {
      AppendTriple(text, "vn", mesh.normals->col(v));
      text += '\n';
    }
  }
  for (const Eigen::Vector3i& triangle : *mesh.triangles) {
    text += 'f';
    for (int c = 0; c < 3; ++c) {
      const std::string index = std::to_string(triangle[c] + 1);
      text += ' ';
      text += index;
      if (mesh.normals != nullptr) text += "//" + index;
    }
    text += '\n';
  }
  WriteFileAtomically(path, text);
}

void WritePly(const std::string& path, const MeshView& mesh) {
  CheckMesh(path, mesh);
  const Eigen::Matrix3Xd& vertices = *mesh.vertices;
  std::ostringstream header;
  header << "ply\nformat binary_little_endian 1.0\ncomment written by morphfit\n"
         << "element vertex " << vertices.cols() << "\n"
         << "property float x\nproperty float y\nproperty float z\n";
  if (mesh.normals != nullptr)
    header << "property float nx\nproperty float ny\nproperty float nz\n";
  if (mesh.colors != nullptr) {
    header << "property uchar red\nproperty uchar green\nproperty uchar blue\n";
  }
  header << "element face " << mesh.triangles->size() << "\n"
         << "property list uchar int vertex_indices\nend_header\n";
  std::string bytes = header.str();
  for (Eigen::Index v = 0; v < vertices.cols(); ++v) {
    for (int d = 0; d < 3; ++d) AppendFloat(bytes, vertices(d, v));
    if (mesh.normals != nullptr) {
      for (int d = 0; d < 3; ++d) AppendFloat(bytes, (*mesh.normals)(d, v));
    }
    if (mesh.colors != nullptr) {
      for (int d = 0; d < 3; ++d) bytes += static_cast<char>(ColorByte((*mesh.colors)(d, v)));
    }
  }
  for (const Eigen::Vector3i& triangle : *mesh.triangles) {
    bytes += static_cast<char>(3);
    for (int c = 0; c < 3; ++c) AppendUint32(bytes, static_cast<uint32_t>(triangle[c]));
  }
  WriteFileAtomically(path, bytes);
}

void ReadObj(const std::string& path, Eigen::Matrix3Xd& vertices,
             std::vector<Eigen::Vector3i>& triangles) {
  std::ifstream stream(path);
  if (!stream) throw FileError(path, "cannot open the OBJ file");
  std::vector<Eigen::Vector3d> points;
  triangles.clear();
  std::string line;
  int line_number = 0;
  while (std::getline(stream, line)) {
    ++line_number;
    std::istringstream fields(line);
    std::string tag;
    if (!(fields >> tag) || tag[0] == '#') continue;
    const std::string where = path + ": line " + std::to_string(line_number);
    if (tag == "v") {
      // Read as text then convert, so that "1e400" or "abc" is an error, not a stuck stream.
      Eigen::Vector3d point;
      for (int d = 0; d < 3; ++d) {
        std::string number;
        fields >> number;
        const auto result = std::from_chars(number.data(), number.data() + number.size(), point[d]);
        if (number.empty() || result.ec != std::errc() ||
            result.ptr != number.data() + number.size()) {
          throw Error(where + ": expected 'v x y z', got '" + line + "'");
        }
      }
      points.push_back(point);
    } else if (tag == "f") {
      std::vector<int> corners;
      std::string token;
      while (fields >> token) {
        corners.push_back(ParseFaceCorner(token, static_cast<int>(points.size()), where));
      }
      if (corners.size() < 3) throw Error(where + ": a face needs at least 3 corners");
      for (size_t c = 1; c + 1 < corners.size(); ++c) {
        triangles.emplace_back(corners[0], corners[c], corners[c + 1]);
      }
    }
    // Other records (vn, vt, o, g, s, usemtl, mtllib) carry nothing this reader returns.
  }
  if (stream.bad()) throw FileError(path, "read error");
  if (points.empty()) throw FileError(path, "no vertices ('v' lines): not an OBJ mesh");
  vertices.resize(3, static_cast<Eigen::Index>(points.size()));
  for (size_t v = 0; v < points.size(); ++v) vertices.col(static_cast<Eigen::Index>(v)) = points[v];
}

}  // namespace morphfit::model
