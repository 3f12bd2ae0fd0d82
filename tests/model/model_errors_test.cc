// Missing, truncated and malformed model files raise morphfit::Error naming the file; eos archives
// of versions 2-4 written here byte by byte load with every part.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/model/landmark_mapping.h"
#include "morphfit/model/model_io.h"
#include "shared_data.h"

namespace morphfit::model {
namespace {

namespace fs = std::filesystem;

std::string ReadBytes(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Expects `load` to throw morphfit::Error whose message names `path` and contains `problem`.
template <typename Load>
void ExpectFileError(const std::string& path, Load load, const std::string& problem = "") {
  try {
    load();
    ADD_FAILURE() << "no error for " << path;
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(fs::path(path).filename().string()), std::string::npos) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
  } catch (const std::exception& error) {
    ADD_FAILURE() << "not a morphfit::Error for " << path << ": " << error.what();
  }
}

// Writes the cereal binary layout of eos archives.
class CerealWriter {
 public:
  template <typename T>
  CerealWriter& Put(T value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof(T));
    return *this;
  }
  CerealWriter& Matrix(const Eigen::MatrixXf& m) {
    Put<int32_t>(static_cast<int32_t>(m.rows())).Put<int32_t>(static_cast<int32_t>(m.cols()));
    bytes_.append(reinterpret_cast<const char*>(m.data()), sizeof(float) * m.size());
    return *this;
  }
  CerealWriter& String(const std::string& text) {
    Put<uint64_t>(text.size());
    bytes_ += text;
    return *this;
  }
  CerealWriter& Triangles(const std::vector<Eigen::Vector3i>& triangles) {
    Put<uint64_t>(triangles.size());
    for (const auto& t : triangles) Put<int32_t>(t[0]).Put<int32_t>(t[1]).Put<int32_t>(t[2]);
    return *this;
  }
  CerealWriter& Pca(const Eigen::VectorXf& mean, const Eigen::MatrixXf& basis,
                    const Eigen::VectorXf& eigenvalues,
                    const std::vector<Eigen::Vector3i>& triangles) {
    return Matrix(mean).Matrix(basis).Matrix(eigenvalues).Triangles(triangles);
  }
  CerealWriter& EmptyPca() { return Pca({}, {}, {}, {}); }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// A four-vertex model: the tetrahedron.
const std::vector<Eigen::Vector3i> kTriangles = {{0, 2, 1}, {0, 1, 3}, {1, 2, 3}, {0, 3, 2}};

Eigen::VectorXf TetrahedronMean() {
  Eigen::VectorXf mean(12);
  mean << 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10;
  return mean;
}

// Orthonormal 12 x 2 basis.
Eigen::MatrixXf UnitBasis(int first_row) {
  Eigen::MatrixXf basis = Eigen::MatrixXf::Zero(12, 2);
  basis(first_row, 0) = 1;
  basis(first_row + 1, 1) = 1;
  return basis;
}

class ModelFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("model_errors"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

TEST_F(ModelFilesTest, Version4WithPcaExpressionLandmarksAndTextureTriangles) {
  Eigen::VectorXf eigenvalues(2);
  eigenvalues << 4, 1;
  Eigen::VectorXf expression_mean = Eigen::VectorXf::Zero(12);
  expression_mean(5) = 0.5f;
  CerealWriter writer;
  writer.Put<uint32_t>(4)
      .Pca(TetrahedronMean(), UnitBasis(0), eigenvalues, kTriangles)
      .EmptyPca()
      .Put<uint8_t>(0)  // expression model: nullopt = false
      .Put<int32_t>(0)  // variant index 0: PcaModel
      .Pca(expression_mean, UnitBasis(6), eigenvalues, kTriangles)
      .Put<uint8_t>(0)  // landmark definitions present
      .Put<uint64_t>(2)
      .String("31")
      .Put<int32_t>(3)
      .String("eye.right.outer_corner")
      .Put<int32_t>(1)
      .Put<uint64_t>(4);
  for (int v = 0; v < 4; ++v) writer.Put<double>(0.25 * v).Put<double>(1.0 - 0.25 * v);
  writer.Triangles(kTriangles);
  WriteBytes(Path("v4.bin"), writer.bytes());

  const MorphableModel model = LoadEosModel(Path("v4.bin"));
  EXPECT_EQ(model.num_vertices(), 4);
  EXPECT_EQ(model.triangles, kTriangles);
  ASSERT_EQ(model.expression.num_components(), 2);
  EXPECT_TRUE(model.expression.is_pca);
  EXPECT_DOUBLE_EQ(model.expression.stddev(0), 2.0);
  EXPECT_DOUBLE_EQ(model.expression.scaled_basis(6, 0), 2.0);
  // The expression mean is part of the neutral instance.
  EXPECT_DOUBLE_EQ(model.mean(5), 0.5);
  EXPECT_EQ(model.landmarks.vertex[30], 3);
  EXPECT_EQ(model.landmarks.NumFixed(), 1);
  ASSERT_EQ(model.texcoords.size(), 4u);
  EXPECT_DOUBLE_EQ(model.texcoords[3].x(), 0.75);
}

TEST_F(ModelFilesTest, Version2WithoutExpressionAndVersion3WithBlendshapes) {
  Eigen::VectorXf eigenvalues(2);
  eigenvalues << 9, 4;
  CerealWriter v2;
  v2.Put<uint32_t>(2).Pca(TetrahedronMean(), UnitBasis(0), eigenvalues, kTriangles).EmptyPca();
  v2.Put<uint8_t>(1).Put<uint64_t>(0);  // no expression model, no texture coordinates
  WriteBytes(Path("v2.bin"), v2.bytes());
  const MorphableModel plain = LoadEosModel(Path("v2.bin"));
  EXPECT_TRUE(plain.expression.empty());
  EXPECT_TRUE(plain.texcoords.empty());
  EXPECT_DOUBLE_EQ(plain.shape.stddev(1), 2.0);

  CerealWriter v3;
  v3.Put<uint32_t>(3).Pca(TetrahedronMean(), UnitBasis(0), eigenvalues, kTriangles).EmptyPca();
  v3.Put<uint8_t>(0).Put<int32_t>(1).Put<uint64_t>(1).String("smile").Matrix(
      Eigen::VectorXf::Constant(12, 0.5f));
  v3.Put<uint8_t>(1).Put<uint64_t>(0);  // no landmark definitions, no texture coordinates
  WriteBytes(Path("v3.bin"), v3.bytes());
  const MorphableModel blend = LoadEosModel(Path("v3.bin"));
  EXPECT_FALSE(blend.expression.is_pca);
  EXPECT_EQ(blend.expression.names, std::vector<std::string>{"smile"});
  EXPECT_EQ(blend.expression.scaled_basis.col(0), Eigen::VectorXd::Constant(12, 0.5));
}

TEST_F(ModelFilesTest, MissingFilesNameTheFile) {
  ExpectFileError(
      Path("absent.bin"), [&] { LoadEosModel(Path("absent.bin")); }, "cannot open");
  ExpectFileError(Path("absent.bin"), [&] { LoadEosBlendshapes(Path("absent.bin")); });
  ExpectFileError(Path("absent.txt"), [&] { LoadSymmetry(Path("absent.txt"), 10); });
  LandmarkMapping mapping;
  ExpectFileError(Path("absent.toml"), [&] { ReadIbugMapping(Path("absent.toml"), mapping); });
  ExpectFileError(Path("absent.json"), [&] { ReadModelContours(Path("absent.json"), mapping); });
  ExpectFileError(Path("absent.h5"), [&] { LoadBfm2017(Path("absent.h5")); });
  ExpectFileError(
      Path("nothing"), [&] { LoadModelDirectory(Path("nothing")); }, "get_models.sh");
}

TEST_F(ModelFilesTest, TruncatedSfmModelNamesTheFileAtEveryCut) {
  const std::string bytes = ReadBytes(testing::RequireSharedPath("models/sfm/sfm_shape_3448.bin"));
  ASSERT_EQ(bytes.size(), 2784392u);
  const size_t mean_end = 12 + 10344 * 4;
  const size_t basis_end = mean_end + 8 + 10344 * 63 * 4;
  for (size_t cut :
       {size_t{0}, size_t{2}, size_t{4}, size_t{9}, size_t{12}, mean_end - 1, mean_end + 8,
        bytes.size() / 2, basis_end + 4, bytes.size() - 3448 * 16, bytes.size() - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const std::string path = Path("cut_" + std::to_string(cut) + ".bin");
    WriteBytes(path, bytes.substr(0, cut));
    ExpectFileError(
        path, [&] { LoadEosModel(path); }, "truncated");
  }
  // Trailing garbage is as wrong as a missing end.
  WriteBytes(Path("long.bin"), bytes + "xx");
  ExpectFileError(
      Path("long.bin"), [&] { LoadEosModel(Path("long.bin")); }, "unexpected bytes");
}

TEST_F(ModelFilesTest, GarbageVersionAndSizesAreRejected) {
  std::string bytes = ReadBytes(testing::RequireSharedPath("models/sfm/sfm_shape_3448.bin"));
  std::string version = bytes;
  version[0] = 99;
  WriteBytes(Path("version.bin"), version);
  ExpectFileError(
      Path("version.bin"), [&] { LoadEosModel(Path("version.bin")); }, "version 99");

  std::string rows = bytes;
  const int32_t negative = -5;
  rows.replace(4, 4, reinterpret_cast<const char*>(&negative), 4);
  WriteBytes(Path("rows.bin"), rows);
  ExpectFileError(
      Path("rows.bin"), [&] { LoadEosModel(Path("rows.bin")); }, "implausible size");

  WriteBytes(Path("text.bin"), "this is not a model at all, just some text\n");
  ExpectFileError(Path("text.bin"), [&] { LoadEosModel(Path("text.bin")); });
}

TEST_F(ModelFilesTest, TruncatedBlendshapesNameTheFile) {
  const std::string bytes =
      ReadBytes(testing::RequireSharedPath("models/sfm/expression_blendshapes_3448.bin"));
  for (size_t cut : {size_t{3}, size_t{8}, size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
    const std::string path = Path("blend_" + std::to_string(cut) + ".bin");
    WriteBytes(path, bytes.substr(0, cut));
    ExpectFileError(
        path, [&] { LoadEosBlendshapes(path); }, "truncated");
  }
}

TEST_F(ModelFilesTest, BadTomlMappingNamesTheFile) {
  LandmarkMapping mapping;
  WriteBytes(Path("syntax.txt"), "[landmark_mappings\n9 = 33\n");
  ExpectFileError(
      Path("syntax.txt"), [&] { ReadIbugMapping(Path("syntax.txt"), mapping); }, "malformed TOML");
  WriteBytes(Path("table.txt"), "[other]\n9 = 33\n");
  ExpectFileError(
      Path("table.txt"), [&] { ReadIbugMapping(Path("table.txt"), mapping); },
      "[landmark_mappings]");
  WriteBytes(Path("index.txt"), "[landmark_mappings]\n69 = 33\n");
  ExpectFileError(
      Path("index.txt"), [&] { ReadIbugMapping(Path("index.txt"), mapping); },
      "'69' is not an iBUG landmark number");
  WriteBytes(Path("vertex.txt"), "[landmark_mappings]\n9 = \"chin\"\n");
  ExpectFileError(
      Path("vertex.txt"), [&] { ReadIbugMapping(Path("vertex.txt"), mapping); },
      "non-negative vertex index");
  WriteBytes(Path("contour.txt"),
             "[landmark_mappings]\n9 = 33\n[contour_landmarks]\nright = [0]\n");
  ExpectFileError(Path("contour.txt"), [&] { ReadIbugMapping(Path("contour.txt"), mapping); });
}

TEST_F(ModelFilesTest, BadContourJsonNamesTheFile) {
  LandmarkMapping mapping;
  WriteBytes(Path("syntax.json"), "{\"model_contour\": {\"right_contour\": [1, 2,");
  ExpectFileError(Path("syntax.json"), [&] { ReadModelContours(Path("syntax.json"), mapping); });
  WriteBytes(Path("keys.json"), "{\"model_contour\": {\"right\": [1], \"left\": [2]}}");
  ExpectFileError(
      Path("keys.json"), [&] { ReadModelContours(Path("keys.json"), mapping); }, "right_contour");
  WriteBytes(Path("types.json"),
             "{\"model_contour\": {\"right_contour\": [\"a\"], \"left_contour\": [2]}}");
  ExpectFileError(Path("types.json"), [&] { ReadModelContours(Path("types.json"), mapping); });
}

TEST_F(ModelFilesTest, BadSymmetryNamesTheFile) {
  WriteBytes(Path("word.txt"), "2\n1\nthree\n");
  ExpectFileError(
      Path("word.txt"), [&] { LoadSymmetry(Path("word.txt"), 3); }, "line 3");
  WriteBytes(Path("range.txt"), "2\n7\n");
  ExpectFileError(
      Path("range.txt"), [&] { LoadSymmetry(Path("range.txt"), 3); }, "line 2");
  WriteBytes(Path("zero.txt"), "0\n");
  ExpectFileError(
      Path("zero.txt"), [&] { LoadSymmetry(Path("zero.txt"), 3); }, "line 1");
  WriteBytes(Path("long.txt"), "2\n1\n3\n4\n");
  ExpectFileError(
      Path("long.txt"), [&] { LoadSymmetry(Path("long.txt"), 3); }, "line 4");
  WriteBytes(Path("empty.txt"), "");
  ExpectFileError(
      Path("empty.txt"), [&] { LoadSymmetry(Path("empty.txt"), 3); }, "empty");
  WriteBytes(Path("good.txt"), "2 # comment\n1\n");
  EXPECT_EQ(LoadSymmetry(Path("good.txt"), 3), (std::vector<int>{1, 0, -1}));
}

TEST_F(ModelFilesTest, ModelDirectoryWithABadPartNamesThatPart) {
  const std::string shared = testing::RequireSharedPath("models/sfm");
  fs::create_directories(Path("model"));
  fs::create_symlink(shared + "/sfm_shape_3448.bin", Path("model/sfm_shape_3448.bin"));
  WriteBytes(Path("model/ibug_to_sfm.txt"), "[landmark_mappings]\n9 = 99999\n");
  // Vertex 99999 parses, but the model has 3448 vertices: Validate names the source.
  ExpectFileError(
      Path("model"), [&] { LoadModelDirectory(Path("model")); }, "99999");
  WriteBytes(Path("model/sfm_model_contours.json"), "{");
  ExpectFileError(Path("model/sfm_model_contours.json"),
                  [&] { LoadModelDirectory(Path("model")); });
}

}  // namespace
}  // namespace morphfit::model
