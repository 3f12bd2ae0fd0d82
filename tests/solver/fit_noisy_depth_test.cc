#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/solver/synthetic_face.h"
#include "morphfit/synth/synthetic_scene.h"
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

// Issue 4: "with 1 px Gaussian noise, depth of the fitted mesh within the face mask is within
// 3 mm RMS of the truth". Landmarks alone stop near 3.4 mm (median, these faces): 66 points with
// 1 px noise do not pin the dense shape. The default fit of a photo runs stages 1-3, so the bound
// is on that fit, of synthetic photos (apps/synth: random SH lighting, smooth random albedo,
// textured background, image noise) with 1 px landmark noise and known focal length; the
// landmarks-only figure is printed beside it. Absolute size and distance are not observable
// from one photo (a face scaled about the camera centre projects identically), so the bound is on
// the depth after dividing out each case's median depth ratio; offset-removed and absolute
// figures are printed.
TEST(NoisyRecovery, DepthWithinTheFaceMaskIsWithinThreeMillimetres) {
  const model::MorphableModel& model = testing::SfmModel();
  synth::SceneOptions scene = synth::SceneOptions::Idealised();  // 1 px noise, as issue 4 says
  scene.face = SyntheticFaceOptions();                           // 640 px, yaw +-60, 0.8-1.2 m
  scene.face.landmark_noise_px = 1.0;
  FitOptions options;
  options.fov_deg = scene.face.fov_deg;
  options.optimize_focal = false;
  const PhotometricOptions photo_options;
  std::vector<double> scale_rms, offset_rms, absolute_rms, landmark_scale_rms;
  for (int seed = 100; seed < 124; ++seed) {
    const synth::SyntheticScene s =
        synth::MakeSyntheticScene(model, scene, synth::Corruption::kNone, seed);
    FitResult fit = Fit(model, s.landmarks, {s.image.cols, s.image.rows}, options);
    landmark_scale_rms.push_back(CompareDepth(model, s.face, fit).scale_rms);
    RunPhotometricStage(model, s.image, s.landmarks, options, photo_options, fit);
    const DepthErrors errors = CompareDepth(model, s.face, fit);
    scale_rms.push_back(errors.scale_rms);
    offset_rms.push_back(errors.offset_rms);
    absolute_rms.push_back(errors.rms);
  }
  const double median_scale = Median(scale_rms);
  std::printf(
      "1 px noise, %zu faces, stages 1-3: depth RMS in the face mask, median %.2f mm modulo scale "
      "about the camera (max %.2f), %.2f mm modulo offset, %.2f mm absolute; landmarks only "
      "(stages 1-2): %.2f mm modulo scale\n",
      scale_rms.size(), median_scale, *std::max_element(scale_rms.begin(), scale_rms.end()),
      Median(offset_rms), Median(absolute_rms), Median(landmark_scale_rms));
  EXPECT_LT(median_scale, 3.0);
}

}  // namespace
}  // namespace morphfit::solver
