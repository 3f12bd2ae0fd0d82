#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "shared_data.h"

namespace morphfit::model {
namespace {

// Reads matrices straight from the cereal bytes, independently of the loader, so that the tests
// compare the loader against the file and not against itself.
class RawCereal {
 public:
  explicit RawCereal(const std::string& path) {
    std::ifstream stream(path, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  }
  template <typename T>
  T Read() {
    T value;
    EXPECT_LE(offset_ + sizeof(T), bytes_.size());
    std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }
  // Column-major float matrix as double.
  Eigen::MatrixXd Matrix() {
    const int32_t rows = Read<int32_t>();
    const int32_t cols = Read<int32_t>();
    Eigen::MatrixXf values(rows, cols);
    std::memcpy(values.data(), bytes_.data() + offset_, sizeof(float) * rows * cols);
    offset_ += sizeof(float) * rows * cols;
    return values.cast<double>();
  }
  std::string String() {
    const auto size = Read<uint64_t>();
    std::string text(bytes_.data() + offset_, size);
    offset_ += size;
    return text;
  }

 private:
  std::vector<char> bytes_;
  size_t offset_ = 0;
};

struct RawSfm {
  Eigen::VectorXd mean;
  Eigen::MatrixXd basis;  // orthonormal, 3N x K
  Eigen::VectorXd eigenvalues;
};

RawSfm ReadRawSfm() {
  RawCereal raw(testing::RequireSharedPath("models/sfm/sfm_shape_3448.bin"));
  EXPECT_EQ(raw.Read<uint32_t>(), 1u);
  RawSfm sfm;
  sfm.mean = raw.Matrix().col(0);
  sfm.basis = raw.Matrix();
  sfm.eigenvalues = raw.Matrix().col(0);
  return sfm;
}

class SfmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = new MorphableModel(LoadModelDirectory(testing::RequireSharedPath("models/sfm")));
    raw_ = new RawSfm(ReadRawSfm());
  }
  static void TearDownTestSuite() {
    delete model_;
    delete raw_;
  }
  static const MorphableModel* model_;
  static const RawSfm* raw_;
};
const MorphableModel* SfmTest::model_ = nullptr;
const RawSfm* SfmTest::raw_ = nullptr;

TEST(EosLoader, SfmShapeModelHasPublishedSizes) {
  const MorphableModel model =
      LoadEosModel(testing::RequireSharedPath("models/sfm/sfm_shape_3448.bin"));
  EXPECT_EQ(model.num_vertices(), 3448);
  EXPECT_EQ(model.mean.size(), 10344);
  EXPECT_EQ(model.shape.num_components(), 63);
  EXPECT_EQ(model.shape.scaled_basis.rows(), 10344);
  EXPECT_TRUE(model.shape.is_pca);
  EXPECT_EQ(model.num_triangles(), 6736);
  EXPECT_FALSE(model.albedo.has_value());
  EXPECT_TRUE(model.expression.empty());
  EXPECT_EQ(model.texcoords.size(), 3448u);
  EXPECT_NEAR(model.shape.stddev(0) * model.shape.stddev(0), 56500, 500);
  EXPECT_NEAR(model.shape.stddev(62) * model.shape.stddev(62), 45.6, 0.1);
  EXPECT_EQ(model.name, "sfm_shape_3448");
}

TEST(EosLoader, SfmBlendshapesAreTheSixNamedExpressions) {
  const LinearBasis blendshapes =
      LoadEosBlendshapes(testing::RequireSharedPath("models/sfm/expression_blendshapes_3448.bin"));
  EXPECT_FALSE(blendshapes.is_pca);
  EXPECT_EQ(blendshapes.names, (std::vector<std::string>{"anger", "disgust", "fear", "happiness",
                                                         "sadness", "surprise"}));
  EXPECT_EQ(blendshapes.scaled_basis.rows(), 10344);
  EXPECT_EQ(blendshapes.num_components(), 6);
  EXPECT_TRUE(blendshapes.stddev.isOnes());

  RawCereal raw(testing::RequireSharedPath("models/sfm/expression_blendshapes_3448.bin"));
  ASSERT_EQ(raw.Read<uint64_t>(), 6u);
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(raw.String(), blendshapes.names[k]);
    const Eigen::MatrixXd deformation = raw.Matrix();
    EXPECT_EQ(blendshapes.scaled_basis.col(k), deformation.col(0)) << "blendshape " << k;
  }
}

TEST_F(SfmTest, DirectoryLoadsEveryPart) {
  EXPECT_EQ(model_->num_vertices(), 3448);
  EXPECT_EQ(model_->expression.num_components(), 6);
  EXPECT_EQ(model_->symmetry.size(), 3448u);
  EXPECT_EQ(model_->landmarks.right_contour_vertices.size(), 17u);
  EXPECT_EQ(model_->landmarks.left_contour_vertices.size(), 17u);
}

TEST_F(SfmTest, MeanInstanceIsTheStoredMean) {
  const Eigen::VectorXd instance = model_->Instance(Eigen::VectorXd(), Eigen::VectorXd());
  ASSERT_EQ(instance.size(), raw_->mean.size());
  EXPECT_EQ(instance, raw_->mean);
  EXPECT_EQ(model_->Instance(Eigen::VectorXd::Zero(63), Eigen::VectorXd::Zero(6)), raw_->mean);
  const Eigen::Matrix3Xd vertices = model_->InstanceVertices(Eigen::VectorXd(), Eigen::VectorXd());
  EXPECT_EQ(vertices.col(1234), raw_->mean.segment<3>(3 * 1234));
}

TEST_F(SfmTest, UnitCoefficientAddsOneStandardDeviationOfTheOrthonormalColumn) {
  for (int k : {0, 1, 17, 62}) {
    Eigen::VectorXd coefficients = Eigen::VectorXd::Zero(63);
    coefficients(k) = 1.0;
    const Eigen::VectorXd expected =
        raw_->mean + std::sqrt(raw_->eigenvalues(k)) * raw_->basis.col(k);
    const Eigen::VectorXd instance = model_->Instance(coefficients, Eigen::VectorXd());
    EXPECT_LT((instance - expected).cwiseAbs().maxCoeff(), 1e-9) << "component " << k;
    // The per-vertex path agrees with the full instance.
    for (int v : {0, 33, 3447}) {
      EXPECT_LT(
          (model_->Vertex(v, coefficients, Eigen::VectorXd()) - expected.segment<3>(3 * v)).norm(),
          1e-9);
    }
  }
}

TEST_F(SfmTest, ScaledBasisOverStddevIsOrthonormal) {
  const Eigen::MatrixXd basis =
      model_->shape.scaled_basis * model_->shape.stddev.cwiseInverse().asDiagonal();
  const Eigen::MatrixXd gram = basis.transpose() * basis;
  // float32 storage: orthonormal to about 1e-6.
  EXPECT_LT((gram - Eigen::MatrixXd::Identity(63, 63)).cwiseAbs().maxCoeff(), 1e-4);
  EXPECT_TRUE((model_->shape.stddev.array() > 0).all());
  // Sorted by decreasing variance, as PCA stores them.
  for (int k = 1; k < 63; ++k) EXPECT_LE(model_->shape.stddev(k), model_->shape.stddev(k - 1));
}

TEST_F(SfmTest, VertexRowsAreTheContiguousBasisRowsOfTheVertex) {
  const int v = 500;
  const double* rows = model_->shape.VertexRows(v);
  for (int d = 0; d < 3; ++d) {
    for (int k = 0; k < 63; ++k) {
      EXPECT_EQ(rows[d * 63 + k], model_->shape.scaled_basis(3 * v + d, k));
    }
  }
}

TEST_F(SfmTest, BlendshapeWeightAddsTheDeformation) {
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(6);
  weights(3) = 0.5;  // happiness
  const Eigen::VectorXd instance = model_->Instance(Eigen::VectorXd(), weights);
  EXPECT_LT((instance - raw_->mean - 0.5 * model_->expression.scaled_basis.col(3)).norm(), 1e-9);
}

TEST_F(SfmTest, MappingHasFiftyFixedLandmarksSixteenContourAndTwoUnmapped) {
  const LandmarkMapping& mapping = model_->landmarks;
  EXPECT_EQ(mapping.NumFixed(), 50);
  EXPECT_EQ(mapping.right_contour_landmarks, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(mapping.left_contour_landmarks, (std::vector<int>{9, 10, 11, 12, 13, 14, 15, 16}));
  int fixed = 0, contour = 0, unmapped = 0;
  for (int i = 0; i < kNumIbugLandmarks; ++i) {
    const bool is_jaw = i <= 16 && i != 8;
    EXPECT_EQ(mapping.IsContour(i), is_jaw) << "landmark " << i + 1;
    if (is_jaw) {
      EXPECT_FALSE(mapping.IsFixed(i)) << "landmark " << i + 1;
    }
    fixed += mapping.IsFixed(i);
    contour += mapping.IsContour(i);
    unmapped += mapping.IsUnmapped(i);
  }
  EXPECT_EQ(fixed, 50);
  EXPECT_EQ(contour, 16);
  EXPECT_EQ(unmapped, 2);
  EXPECT_TRUE(mapping.IsUnmapped(60));  // iBUG 61, inner mouth corner
  EXPECT_TRUE(mapping.IsUnmapped(64));  // iBUG 65
  // Spot checks against ibug_to_sfm.txt: chin 9 -> 33, nose tip 31 -> 114, 68 -> 404.
  EXPECT_EQ(mapping.vertex[8], 33);
  EXPECT_EQ(mapping.vertex[30], 114);
  EXPECT_EQ(mapping.vertex[67], 404);
  // Contour candidates, as in sfm_model_contours.json.
  EXPECT_EQ(mapping.right_contour_vertices.front(), 380);
  EXPECT_EQ(mapping.right_contour_vertices.back(), 22);
  EXPECT_EQ(mapping.left_contour_vertices.front(), 795);
  EXPECT_EQ(mapping.left_contour_vertices.back(), 465);
}

TEST_F(SfmTest, SymmetryCoversTheReferenceVerticesAndIsAnInvolution) {
  int covered = 0;
  for (int v = 0; v < model_->num_vertices(); ++v) {
    const int mirror = model_->symmetry[v];
    if (mirror < 0) continue;
    ++covered;
    // Mirror of the mirror is the vertex itself where both are covered.
    if (model_->symmetry[mirror] >= 0) {
      EXPECT_EQ(model_->symmetry[mirror], v) << "vertex " << v;
    }
  }
  EXPECT_EQ(covered, 845);              // the reference shape's vertices
  EXPECT_EQ(model_->symmetry[0], 444);  // first line: 445 (1-based)
}

}  // namespace
}  // namespace morphfit::model
