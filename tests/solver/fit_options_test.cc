#include <cmath>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/solver/fit_options.h"

namespace morphfit::solver {
namespace {

TEST(FitOptions, DefaultsAreValid) { EXPECT_NO_THROW(FitOptions().Validate()); }

TEST(FitOptions, EachBadFieldIsNamed) {
  auto expect_error = [](auto mutate, const std::string& field) {
    FitOptions options;
    mutate(options);
    try {
      options.Validate();
      ADD_FAILURE() << "no error for " << field;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  expect_error([](FitOptions& o) { o.fov_deg = 0; }, "fov");
  expect_error([](FitOptions& o) { o.landmark_weight = -1; }, "landmark_weight");
  expect_error([](FitOptions& o) { o.shape_prior_weight = -1; }, "shape_prior_weight");
  expect_error([](FitOptions& o) { o.expression_prior_weight = NAN; }, "expression_prior_weight");
  expect_error([](FitOptions& o) { o.focal_prior_weight = -2; }, "focal_prior_weight");
  expect_error([](FitOptions& o) { o.robust_scale = 0; }, "robust_scale");
  expect_error([](FitOptions& o) { o.max_iterations = 0; }, "max_iterations");
  expect_error([](FitOptions& o) { o.contour_iterations = 0; }, "contour_iterations");
  expect_error([](FitOptions& o) { o.contour_side_yaw_deg = 100; }, "contour_side_yaw_deg");
  expect_error([](FitOptions& o) { o.shape_components = -1; }, "shape_components");
}

TEST(FitOptions, RobustLossNamesRoundTrip) {
  for (const char* name : {"none", "huber", "cauchy"}) {
    EXPECT_EQ(RobustLossName(ParseRobustLoss(name)), name);
  }
  EXPECT_THROW(ParseRobustLoss("tukey"), Error);
}

}  // namespace
}  // namespace morphfit::solver
