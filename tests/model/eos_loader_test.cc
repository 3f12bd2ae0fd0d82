#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "shared_data.h"

namespace morphfit::model {
namespace {

TEST(EosLoader, SfmShapeModelHasPublishedSizes) {
  const MorphableModel model = LoadEosModel(testing::RequireSharedPath("models/sfm/sfm_shape_3448.bin"));
  EXPECT_EQ(model.num_vertices(), 3448);
  EXPECT_EQ(model.shape.num_components(), 63);
  EXPECT_EQ(model.num_triangles(), 6736);
  EXPECT_FALSE(model.albedo.has_value());
  EXPECT_EQ(model.texcoords.size(), 3448u);
  EXPECT_NEAR(model.shape.stddev(0) * model.shape.stddev(0), 56500, 500);
  EXPECT_NEAR(model.shape.stddev(62) * model.shape.stddev(62), 45.6, 0.1);
}

}  // namespace
}  // namespace morphfit::model
