// A Basel-2017-layout file written here with the HDF5 C API round-trips through LoadBfm2017.
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "shared_data.h"

namespace morphfit::model {
namespace {

namespace fs = std::filesystem;

// Writes row-major datasets, creating the groups on the way (BFM stores float32 and int32).
class Hdf5Writer {
 public:
  explicit Hdf5Writer(const std::string& path) {
    file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(file_, 0);
    link_properties_ = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(link_properties_, 1);
  }
  ~Hdf5Writer() {
    H5Pclose(link_properties_);
    H5Fclose(file_);
  }
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  void Floats(const std::string& name, const std::vector<hsize_t>& dims,
              const std::vector<float>& values) {
    Write(name, dims, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, values.data());
  }
  void Ints(const std::string& name, const std::vector<hsize_t>& dims,
            const std::vector<int>& values) {
    Write(name, dims, H5T_STD_I32LE, H5T_NATIVE_INT, values.data());
  }

 private:
  void Write(const std::string& name, const std::vector<hsize_t>& dims, hid_t file_type,
             hid_t memory_type, const void* data) {
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t dataset = H5Dcreate2(file_, name.c_str(), file_type, space, link_properties_,
                                     H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(dataset, 0) << name;
    EXPECT_GE(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
    H5Dclose(dataset);
    H5Sclose(space);
  }
  hid_t file_ = -1;
  hid_t link_properties_ = -1;
};

constexpr int kVertices = 4;
constexpr int kRows = 3 * kVertices;

// A row-major rows x cols matrix with distinct entries.
std::vector<float> Ramp(int rows, int cols, float scale) {
  std::vector<float> values(static_cast<size_t>(rows) * cols);
  for (size_t i = 0; i < values.size(); ++i) values[i] = scale * static_cast<float>(i + 1);
  return values;
}

void WritePca(Hdf5Writer& h5, const std::string& group, const std::vector<float>& mean,
              int components, float scale) {
  h5.Floats(group + "/model/mean", {kRows}, mean);
  h5.Floats(group + "/model/pcaBasis", {kRows, static_cast<hsize_t>(components)},
            Ramp(kRows, components, scale));
  std::vector<float> variance;
  for (int k = 0; k < components; ++k) variance.push_back(static_cast<float>((components - k) * 4));
  h5.Floats(group + "/model/pcaVariance", {static_cast<hsize_t>(components)}, variance);
}

const std::vector<float> kShapeMean = {0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10};
// cells is 3 x T: row c holds corner c of every triangle.
const std::vector<int> kCells = {0, 0, 1, 0, /**/ 2, 1, 2, 3, /**/ 1, 3, 3, 2};

class BfmTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("bfm"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(BfmTest, WrittenFileRoundTrips) {
  const std::string path = dir_ + "/model2017-test.h5";
  std::vector<float> expression_mean(kRows, 0.0f);
  expression_mean[4] = 0.25f;
  {
    Hdf5Writer h5(path);
    WritePca(h5, "shape", kShapeMean, 3, 0.01f);
    WritePca(h5, "expression", expression_mean, 2, 0.02f);
    WritePca(h5, "color", std::vector<float>(kRows, 0.5f), 2, 0.001f);
    h5.Ints("shape/representer/cells", {3, 4}, kCells);
  }
  const MorphableModel model = LoadBfm2017(path);
  EXPECT_EQ(model.num_vertices(), kVertices);
  ASSERT_EQ(model.shape.num_components(), 3);
  ASSERT_EQ(model.expression.num_components(), 2);
  ASSERT_TRUE(model.albedo.has_value());
  ASSERT_EQ(model.albedo->basis.num_components(), 2);

  // Mean: shape mean plus the expression mean.
  for (int i = 0; i < kRows; ++i) {
    EXPECT_FLOAT_EQ(model.mean(i), kShapeMean[i] + expression_mean[i]) << i;
  }
  // Standard deviations are square roots of the variances; columns are scaled by them.
  EXPECT_DOUBLE_EQ(model.shape.stddev(0), std::sqrt(12.0));
  EXPECT_DOUBLE_EQ(model.shape.stddev(2), 2.0);
  const std::vector<float> shape_basis = Ramp(kRows, 3, 0.01f);
  for (int r = 0; r < kRows; ++r) {
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(model.shape.scaled_basis(r, k), shape_basis[r * 3 + k] * model.shape.stddev(k),
                  1e-6);
    }
  }
  const std::vector<float> expression_basis = Ramp(kRows, 2, 0.02f);
  EXPECT_NEAR(model.expression.scaled_basis(7, 1), expression_basis[7 * 2 + 1] * 2.0, 1e-6);
  EXPECT_DOUBLE_EQ(model.albedo->mean(3), 0.5);
  EXPECT_NEAR(model.albedo->basis.scaled_basis(11, 0), 0.001 * 23 * std::sqrt(8.0), 1e-6);

  const std::vector<Eigen::Vector3i> triangles = {{0, 2, 1}, {0, 1, 3}, {1, 2, 3}, {0, 3, 2}};
  EXPECT_EQ(model.triangles, triangles);

  // A folder holding only the .h5 loads the same way.
  const MorphableModel from_folder = LoadModelDirectory(dir_);
  EXPECT_EQ(from_folder.mean, model.mean);
  EXPECT_EQ(FindModelDirectory(dir_, "", {}), dir_);
}

TEST_F(BfmTest, ShapeOnlyFileHasNoExpressionOrAlbedo) {
  const std::string path = dir_ + "/shape.h5";
  {
    Hdf5Writer h5(path);
    WritePca(h5, "shape", kShapeMean, 2, 0.01f);
    h5.Ints("shape/representer/cells", {3, 4}, kCells);
  }
  const MorphableModel model = LoadBfm2017(path);
  EXPECT_TRUE(model.expression.empty());
  EXPECT_FALSE(model.albedo.has_value());
  EXPECT_EQ(model.num_triangles(), 4);
}

TEST_F(BfmTest, BrokenFilesNameTheFileAndTheDataset) {
  auto expect_error = [](const std::string& path, const std::string& problem) {
    try {
      LoadBfm2017(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(problem), std::string::npos) << error.what();
    }
  };
  const std::string no_cells = dir_ + "/no_cells.h5";
  {
    Hdf5Writer h5(no_cells);
    WritePca(h5, "shape", kShapeMean, 2, 0.01f);
  }
  expect_error(no_cells, "shape/representer/cells");

  const std::string wrong_basis = dir_ + "/wrong_basis.h5";
  {
    Hdf5Writer h5(wrong_basis);
    h5.Floats("shape/model/mean", {kRows}, kShapeMean);
    h5.Floats("shape/model/pcaBasis", {kRows, 2}, Ramp(kRows, 2, 1));
    h5.Floats("shape/model/pcaVariance", {3}, {1, 1, 1});
    h5.Ints("shape/representer/cells", {3, 4}, kCells);
  }
  expect_error(wrong_basis, "pcaBasis");

  const std::string bad_triangle = dir_ + "/bad_triangle.h5";
  {
    Hdf5Writer h5(bad_triangle);
    WritePca(h5, "shape", kShapeMean, 2, 0.01f);
    std::vector<int> cells = kCells;
    cells[5] = 4;
    h5.Ints("shape/representer/cells", {3, 4}, cells);
  }
  expect_error(bad_triangle, "vertex 4");

  const std::string not_hdf5 = dir_ + "/text.h5";
  { std::ofstream(not_hdf5) << "not HDF5\n"; }
  expect_error(not_hdf5, "HDF5");
}

}  // namespace
}  // namespace morphfit::model
