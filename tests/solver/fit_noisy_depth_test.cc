#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/synthetic_face.h"
#include "solver/solver_test_model.h"

namespace morphfit::solver {
namespace {

double Median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

struct DepthErrors {
  double rms = 0;         // absolute camera-space z
  double offset_rms = 0;  // after removing the median depth offset
  double scale_rms = 0;   // after removing the median depth ratio (scale about the camera centre)
};

// Depth of the fitted mesh against the truth over the truth's face mask (pixels both cover).
DepthErrors CompareDepth(const model::MorphableModel& model, const SyntheticFace& face,
                         const FitResult& fit) {
  const render::Frame truth = render::RenderModelSpaceMesh(
      model.InstanceVertices(face.shape_coefficients, face.expression_coefficients),
      model.triangles, face.camera);
  const render::Frame fitted = render::RenderModelSpaceMesh(
      model.InstanceVertices(fit.shape_coefficients, fit.expression_coefficients), model.triangles,
      fit.camera);
  std::vector<double> differences, ratios, truth_depths;
  for (int i = 0; i < truth.num_pixels(); ++i) {
    if (truth.Covered(i) && fitted.Covered(i)) {
      differences.push_back(fitted.depth[i] - truth.depth[i]);
      ratios.push_back(fitted.depth[i] / truth.depth[i]);
      truth_depths.push_back(truth.depth[i]);
    }
  }
  EXPECT_GT(differences.size(), 0.8 * truth.CountCovered()) << "fit covers too little of the face";
  const double offset = Median(differences), scale = Median(ratios);
  DepthErrors errors;
  for (size_t i = 0; i < differences.size(); ++i) {
    const double d = differences[i];
    const double scaled = (truth_depths[i] + d) / scale - truth_depths[i];
    errors.rms += d * d;
    errors.offset_rms += (d - offset) * (d - offset);
    errors.scale_rms += scaled * scaled;
  }
  const double count = differences.size();
  errors.rms = std::sqrt(errors.rms / count);
  errors.offset_rms = std::sqrt(errors.offset_rms / count);
  errors.scale_rms = std::sqrt(errors.scale_rms / count);
  return errors;
}

// Landmarks with 1 px Gaussian noise, known focal length, the default weights. Absolute size and
// distance are not observable from landmarks: the face scaled by s about the camera centre
// projects identically, and the shape model can scale the face. The bound is therefore on the
// depth after dividing out each case's median depth ratio; offset-removed and absolute figures
// are printed.
TEST(NoisyRecovery, DepthWithinTheFaceMaskIsWithinThreeMillimetres) {
  const model::MorphableModel& model = testing::SfmModel();
  SyntheticFaceOptions synthetic;
  synthetic.landmark_noise_px = 1.0;
  FitOptions options;
  options.fov_deg = synthetic.fov_deg;
  options.optimize_focal = false;
  std::vector<double> scale_rms, offset_rms, absolute_rms;
  for (int seed = 100; seed < 124; ++seed) {
    const SyntheticFace face = MakeSyntheticFace(model, synthetic, seed);
    const FitResult fit = Fit(model, face.landmarks, {synthetic.width, synthetic.height}, options);
    const DepthErrors errors = CompareDepth(model, face, fit);
    scale_rms.push_back(errors.scale_rms);
    offset_rms.push_back(errors.offset_rms);
    absolute_rms.push_back(errors.rms);
  }
  const double median_scale = Median(scale_rms);
  std::printf(
      "1 px noise, %zu faces: depth RMS in the face mask, median %.2f mm modulo scale "
      "about the camera (max %.2f), %.2f mm modulo offset, %.2f mm absolute\n",
      scale_rms.size(), median_scale, *std::max_element(scale_rms.begin(), scale_rms.end()),
      Median(offset_rms), Median(absolute_rms));
  EXPECT_LT(median_scale, 3.0);
}

}  // namespace
}  // namespace morphfit::solver
