#include "morphfit/model/morphable_model.h"

#include <gtest/gtest.h>

#include "morphfit/model/error.h"

namespace morphfit::model {
namespace {

// A valid two-triangle model built by hand: 4 vertices, 2 shape and 1 expression component.
MorphableModel SquareModel() {
  MorphableModel model;
  model.name = "square";
  model.mean.resize(12);
  model.mean << 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0;
  model.shape.scaled_basis = RowMatrixXd::Zero(12, 2);
  model.shape.scaled_basis(2, 0) = 3;    // vertex 0 z, 3 mm per standard deviation
  model.shape.scaled_basis(11, 1) = -2;  // vertex 3 z
  model.shape.stddev = Eigen::Vector2d(3, 2);
  model.expression.scaled_basis = RowMatrixXd::Constant(12, 1, 0.5);
  model.expression.stddev = Eigen::VectorXd::Ones(1);
  model.expression.is_pca = false;
  model.triangles = {{0, 1, 2}, {0, 2, 3}};
  return model;
}

std::string ValidateError(const MorphableModel& model) {
  try {
    model.Validate();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(MorphableModel, InstanceAndVertexAgree) {
  const MorphableModel model = SquareModel();
  ASSERT_EQ(ValidateError(model), "");
  const Eigen::VectorXd shape = Eigen::Vector2d(1.0, -0.5);
  const Eigen::VectorXd expression = Eigen::VectorXd::Constant(1, 2.0);
  const Eigen::Matrix3Xd vertices = model.InstanceVertices(shape, expression);
  EXPECT_EQ(vertices.col(0), Eigen::Vector3d(1, 1, 4));  // +0.5*2 everywhere, +3 on z
  EXPECT_EQ(vertices.col(3), Eigen::Vector3d(1, 2, 2));  // -2 * -0.5 = +1 on z, +1 all
  for (int v = 0; v < 4; ++v) EXPECT_EQ(model.Vertex(v, shape, expression), vertices.col(v));
  // A shorter coefficient vector uses the leading components.
  EXPECT_EQ(model.Vertex(0, Eigen::VectorXd::Ones(1), Eigen::VectorXd()), Eigen::Vector3d(0, 0, 3));
}

TEST(MorphableModel, TooManyCoefficientsAreAnError) {
  const MorphableModel model = SquareModel();
  EXPECT_THROW(model.Instance(Eigen::VectorXd::Ones(3), Eigen::VectorXd()), Error);
  EXPECT_THROW(model.Vertex(0, Eigen::VectorXd::Ones(3), Eigen::VectorXd()), Error);
  EXPECT_THROW(model.Instance(Eigen::VectorXd(), Eigen::VectorXd::Ones(2)), Error);
  MorphableModel no_expression = SquareModel();
  no_expression.expression = LinearBasis();
  EXPECT_THROW(no_expression.Instance(Eigen::VectorXd(), Eigen::VectorXd::Ones(1)), Error);
}

TEST(MorphableModel, ValidateNamesEachInconsistency) {
  MorphableModel model = SquareModel();
  model.triangles.push_back({0, 1, 4});
  EXPECT_NE(ValidateError(model).find("triangle 2 refers to vertex 4"), std::string::npos);

  model = SquareModel();
  model.texcoords.resize(3);
  EXPECT_NE(ValidateError(model).find("3 texture coordinates for 4 vertices"), std::string::npos);

  model = SquareModel();
  model.landmarks.vertex[30] = 4;
  EXPECT_NE(ValidateError(model).find("landmark 31"), std::string::npos);

  model = SquareModel();
  model.landmarks.left_contour_vertices = {1, 7};
  EXPECT_NE(ValidateError(model).find("left contour"), std::string::npos);

  model = SquareModel();
  model.symmetry = {1, 0, 3};
  EXPECT_NE(ValidateError(model).find("symmetry list has 3 entries"), std::string::npos);

  model = SquareModel();
  model.expression.scaled_basis = RowMatrixXd::Zero(9, 1);
  EXPECT_NE(ValidateError(model).find("expression basis has 9 rows"), std::string::npos);

  model = SquareModel();
  model.shape.stddev = Eigen::VectorXd::Ones(3);
  EXPECT_NE(ValidateError(model).find("3 standard deviations for 2"), std::string::npos);

  model = SquareModel();
  model.shape = LinearBasis();
  EXPECT_NE(ValidateError(model).find("no components"), std::string::npos);

  model = SquareModel();
  model.albedo = AlbedoModel{Eigen::VectorXd::Zero(6), LinearBasis()};
  EXPECT_NE(ValidateError(model).find("albedo mean has 6"), std::string::npos);
}

}  // namespace
}  // namespace morphfit::model
