#include <gtest/gtest.h>

#include "morphfit/solver/fit.h"
#include "morphfit/solver/landmark_statistics.h"
#include "solver/solver_test_model.h"

namespace morphfit::solver {
namespace {

TEST(FitSample, Eos0010FitsWithinFivePercentNme) {
  const model::MorphableModel& model = testing::SfmModel();
  const Landmarks landmarks = ReadPts(testing::RequireSharedPath("samples/eos_image_0010.pts"));
  const ImageSize size{1280, 1024};
  ValidateLandmarks(landmarks, size.width, size.height, "eos_image_0010.pts");
  const FitResult result = Fit(model, landmarks, size, FitOptions());

  // Over all 66 mapped landmarks, including the contour side not in the fit.
  std::array<bool, 68> mapped{};
  for (int i = 0; i < 68; ++i) mapped[i] = !model.landmarks.IsUnmapped(i);
  const LandmarkErrors errors = MeasureLandmarkErrors(landmarks, result.fitted_landmarks, mapped);
  EXPECT_EQ(errors.count, 66);
  EXPECT_LT(errors.rms_nme, 0.05);
  RecordProperty("nme_66", std::to_string(errors.rms_nme));
  std::printf("eos_image_0010: NME over 66 mapped landmarks %.4f (RMS %.2f px), in-fit NME %.4f\n",
              errors.rms_nme, errors.rms_px, result.stages.back().landmark_rms_nme);
}

}  // namespace
}  // namespace morphfit::solver
