#include "morphfit/model/mesh_io.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/model/morphable_model.h"
#include "shared_data.h"

namespace morphfit::model {
namespace {

namespace fs = std::filesystem;

struct Tetrahedron {
  Eigen::Matrix3Xd vertices{3, 4};
  std::vector<Eigen::Vector3i> triangles = {{0, 2, 1}, {0, 1, 3}, {1, 2, 3}, {0, 3, 2}};
  Eigen::Matrix3Xd normals;
  Eigen::Matrix3Xd colors{3, 4};
  Tetrahedron() {
    // Values with no short decimal form, to catch lossy number formatting.
    vertices << 0.1, 10.0 / 3.0, 0, 0, 0, 0, 7.25, 1e-7, 0, -1.0 / 7.0, 0, 12.0;
    normals = VertexNormals(vertices, triangles);
    colors << 0, 1, 0.5, 0.2, 1, 0, 0.25, 0.4, 0.5, 0, 1, 2.0;  // 2.0 is clamped to 255
  }
  MeshView View(bool with_normals, bool with_colors) const {
    return MeshView{&vertices, &triangles, with_normals ? &normals : nullptr,
                    with_colors ? &colors : nullptr};
  }
};

std::string ReadText(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
}

class MeshIoTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("mesh_io"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(MeshIoTest, ObjRoundTripsPositionsInFloatPrecisionWithEveryOptionalPart) {
  const Tetrahedron mesh;
  for (bool normals : {false, true}) {
    for (bool colors : {false, true}) {
      const std::string path = dir_ + "/t.obj";
      WriteObj(path, mesh.View(normals, colors));
      Eigen::Matrix3Xd vertices;
      std::vector<Eigen::Vector3i> triangles;
      ReadObj(path, vertices, triangles);
      // Reading back gives the same floats (the text is the shortest float form).
      EXPECT_EQ(vertices.cast<float>(), mesh.vertices.cast<float>());
      EXPECT_EQ(triangles, mesh.triangles);
      const std::string text = ReadText(path);
      EXPECT_EQ(text.find("vn ") != std::string::npos, normals);
      EXPECT_EQ(text.find("f 1//1 3//3 2//2\n") != std::string::npos, normals) << text;
      EXPECT_EQ(text.find(colors ? "v 0 7.25 0 0.5 0.25 1\n" : "v 0 7.25 0\n") != std::string::npos,
                true)
          << text;
    }
  }
}

TEST_F(MeshIoTest, ObjNormalsAreTheGivenOnes) {
  const Tetrahedron mesh;
  const std::string path = dir_ + "/n.obj";
  WriteObj(path, mesh.View(true, false));
  std::istringstream lines(ReadText(path));
  std::string line;
  int normal = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("vn ", 0) != 0) continue;
    std::istringstream fields(line.substr(3));
    Eigen::Vector3d n;
    fields >> n.x() >> n.y() >> n.z();
    EXPECT_EQ(n.cast<float>(), mesh.normals.col(normal).cast<float>()) << line;
    ++normal;
  }
  EXPECT_EQ(normal, 4);
}

// Parses the binary PLY this project writes, independently of the writer.
struct PlyContent {
  std::vector<std::string> header;
  std::vector<float> vertex_values;  // all float properties of all vertices, in order
  std::vector<uint8_t> colors;
  std::vector<Eigen::Vector3i> faces;
};

PlyContent ParsePly(const std::string& bytes, int floats_per_vertex, bool colors, int vertices) {
  PlyContent ply;
  size_t offset = 0;
  while (true) {
    const size_t end = bytes.find('\n', offset);
    ply.header.push_back(bytes.substr(offset, end - offset));
    offset = end + 1;
    if (ply.header.back() == "end_header") break;
  }
  for (int v = 0; v < vertices; ++v) {
    for (int f = 0; f < floats_per_vertex; ++f) {
      const auto* b = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
      const uint32_t bits = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t{b[3]} << 24);
      float value;
      std::memcpy(&value, &bits, 4);
      ply.vertex_values.push_back(value);
      offset += 4;
    }
    for (int c = 0; colors && c < 3; ++c) ply.colors.push_back(bytes[offset++]);
  }
  while (offset < bytes.size()) {
    EXPECT_EQ(bytes[offset], 3);
    ++offset;
    Eigen::Vector3i face;
    for (int c = 0; c < 3; ++c) {
      int32_t index;
      std::memcpy(&index, bytes.data() + offset, 4);  // the test host is little-endian
      face[c] = index;
      offset += 4;
    }
    ply.faces.push_back(face);
  }
  return ply;
}

TEST_F(MeshIoTest, PlyIsBinaryLittleEndianWithNormalsAndColours) {
  const Tetrahedron mesh;
  const std::string path = dir_ + "/t.ply";
  WritePly(path, mesh.View(true, true));
  const PlyContent ply = ParsePly(ReadText(path), 6, true, 4);
  EXPECT_EQ(ply.header[0], "ply");
  EXPECT_EQ(ply.header[1], "format binary_little_endian 1.0");
  EXPECT_NE(std::find(ply.header.begin(), ply.header.end(), "element vertex 4"), ply.header.end());
  EXPECT_NE(std::find(ply.header.begin(), ply.header.end(), "element face 4"), ply.header.end());
  EXPECT_NE(std::find(ply.header.begin(), ply.header.end(), "property uchar red"),
            ply.header.end());
  ASSERT_EQ(ply.vertex_values.size(), 24u);
  for (int v = 0; v < 4; ++v) {
    for (int d = 0; d < 3; ++d) {
      EXPECT_EQ(ply.vertex_values[6 * v + d], static_cast<float>(mesh.vertices(d, v)));
      EXPECT_EQ(ply.vertex_values[6 * v + 3 + d], static_cast<float>(mesh.normals(d, v)));
    }
  }
  EXPECT_EQ(ply.colors, (std::vector<uint8_t>{0, 255, 128, 255, 0, 0, 128, 64, 255, 51, 102, 255}));
  EXPECT_EQ(ply.faces, mesh.triangles);
}

TEST_F(MeshIoTest, PlyWithPositionsOnly) {
  const Tetrahedron mesh;
  const std::string path = dir_ + "/p.ply";
  WritePly(path, mesh.View(false, false));
  const PlyContent ply = ParsePly(ReadText(path), 3, false, 4);
  EXPECT_EQ(std::find(ply.header.begin(), ply.header.end(), "property float nx"), ply.header.end());
  EXPECT_EQ(ply.vertex_values[4], static_cast<float>(mesh.vertices(1, 1)));
  EXPECT_EQ(ply.faces, mesh.triangles);
}

TEST_F(MeshIoTest, WritersRejectInconsistentMeshesAndLeaveNoFile) {
  Tetrahedron mesh;
  const Eigen::Matrix3Xd three_normals = mesh.normals.leftCols(3);
  MeshView view = mesh.View(false, false);
  view.normals = &three_normals;
  const std::string path = dir_ + "/bad.obj";
  EXPECT_THROW(WriteObj(path, view), Error);
  EXPECT_THROW(WritePly(path, view), Error);
  mesh.triangles.push_back({0, 1, 4});
  EXPECT_THROW(WriteObj(path, mesh.View(false, false)), Error);
  EXPECT_THROW(WriteObj(path, MeshView{}), Error);
  EXPECT_TRUE(fs::is_empty(dir_));
  // A folder that does not exist: the error names the file.
  try {
    WriteObj(dir_ + "/no/such/folder/x.obj", Tetrahedron().View(false, false));
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("x.obj"), std::string::npos);
  }
}

TEST_F(MeshIoTest, ReadObjTriangulatesPolygonsAndResolvesIndexForms) {
  const std::string path = dir_ + "/quad.obj";
  std::ofstream(path)
      << "# a quad and a triangle\no quad\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0 0.5 "
         "0.5 0.5\nvt 0 0\nvn 0 0 1\nf 1/1/1 2/1/1 3/1/1 4/1/1\nv 2 2 2\nf -1 1//1 2\n";
  Eigen::Matrix3Xd vertices;
  std::vector<Eigen::Vector3i> triangles;
  ReadObj(path, vertices, triangles);
  EXPECT_EQ(vertices.cols(), 5);
  EXPECT_EQ(vertices.col(3), Eigen::Vector3d(0, 1, 0));
  EXPECT_EQ(triangles, (std::vector<Eigen::Vector3i>{{0, 1, 2}, {0, 2, 3}, {4, 0, 1}}));
}

TEST_F(MeshIoTest, ReadObjErrorsNameFileAndLine) {
  auto expect_error = [&](const std::string& text, const std::string& problem) {
    const std::string path = dir_ + "/bad.obj";
    std::ofstream(path) << text;
    Eigen::Matrix3Xd vertices;
    std::vector<Eigen::Vector3i> triangles;
    try {
      ReadObj(path, vertices, triangles);
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(problem), std::string::npos) << error.what();
    }
  };
  expect_error("v 0 0\n", "line 1");
  expect_error("v 0 0 zero\n", "line 1");
  expect_error("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n", "line 4");
  expect_error("v 0 0 0\nv 1 0 0\nf 1 2\n", "at least 3");
  expect_error("v 0 0 0\nf 0 1 1\n", "line 2");
  expect_error("# nothing\n", "no vertices");
  expect_error("", "no vertices");
  Eigen::Matrix3Xd vertices;
  std::vector<Eigen::Vector3i> triangles;
  EXPECT_THROW(ReadObj(dir_ + "/absent.obj", vertices, triangles), Error);
}

TEST(VertexNormals, PointOutwardOnAClosedTetrahedronAndUpOnAPlane) {
  const Tetrahedron mesh;
  const Eigen::Vector3d centre = mesh.vertices.rowwise().mean();
  for (int v = 0; v < 4; ++v) {
    EXPECT_NEAR(mesh.normals.col(v).norm(), 1.0, 1e-12);
    EXPECT_GT(mesh.normals.col(v).dot(mesh.vertices.col(v) - centre), 0.0) << "vertex " << v;
  }
  // A counter-clockwise square in the z = 5 plane: every normal is +z.
  Eigen::Matrix3Xd square(3, 4);
  square << 0, 1, 1, 0, 0, 0, 1, 1, 5, 5, 5, 5;
  const Eigen::Matrix3Xd normals = VertexNormals(square, {{0, 1, 2}, {0, 2, 3}});
  for (int v = 0; v < 4; ++v) EXPECT_LT((normals.col(v) - Eigen::Vector3d::UnitZ()).norm(), 1e-12);
  // An isolated vertex gets a zero normal rather than NaN.
  Eigen::Matrix3Xd with_extra(3, 5);
  with_extra << square, Eigen::Vector3d(9, 9, 9);
  EXPECT_EQ(VertexNormals(with_extra, {{0, 1, 2}}).col(4), Eigen::Vector3d::Zero());
}

}  // namespace
}  // namespace morphfit::model
