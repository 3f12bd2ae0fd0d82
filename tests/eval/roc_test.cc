#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "morphfit/eval/roc.h"

namespace morphfit::eval {
namespace {

TEST(Roc, PerfectSeparationHasAreaOne) {
  EXPECT_DOUBLE_EQ(RocAuc({1, 2, 3, 4}, {false, false, true, true}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({1, 2, 3, 4}, {true, true, false, false}), 0.0);
}

TEST(Roc, AreaCountsOrderedPairsAndHalfTies) {
  // Bad 1, 3 against good 2, 4: only (3 > 2) of the four pairs is ordered.
  EXPECT_DOUBLE_EQ(RocAuc({1, 2, 3, 4}, {true, false, true, false}), 0.25);
  // Bad 2, 2 against good 2, 1: pairs (2, 2) tie twice, (2 > 1) twice -> (2 * 0.5 + 2) / 4.
  EXPECT_DOUBLE_EQ(RocAuc({2, 2, 2, 1}, {true, true, false, false}), 0.75);
}

TEST(Roc, MissingScoresAreLeftOut) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_DOUBLE_EQ(RocAuc({1, nan, 3, nan}, {false, false, true, true}), 1.0);
  EXPECT_TRUE(std::isnan(RocAuc({1, 2}, {false, false})));
}

TEST(Roc, CurveStepsThroughDistinctScores) {
  const std::vector<RocPoint> curve = RocCurve({4, 3, 3, 1}, {true, true, false, false});
  ASSERT_EQ(curve.size(), 4u);
  EXPECT_DOUBLE_EQ(curve[1].true_positive_rate, 0.5);  // score 4
  EXPECT_DOUBLE_EQ(curve[1].false_positive_rate, 0.0);
  EXPECT_DOUBLE_EQ(curve[2].true_positive_rate, 1.0);  // score 3: one bad, one good together
  EXPECT_DOUBLE_EQ(curve[2].false_positive_rate, 0.5);
  EXPECT_DOUBLE_EQ(curve[3].false_positive_rate, 1.0);
}

}  // namespace
}  // namespace morphfit::eval
