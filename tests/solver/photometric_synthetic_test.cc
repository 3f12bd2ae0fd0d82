// Stage 3 on synthetic photos with known geometry (apps/synth): it must make the dense geometry
// closer to the truth than the landmark fit it starts from.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "morphfit/model/model_io.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/render/visibility.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/synth/stage_comparison.h"
#include "shared_data.h"

namespace morphfit::synth {
namespace {

// Fits seeds 1-40 with stages 1-2 and 1-3 and checks issue 5's accuracy bound; returns each
// face's depth RMSE after stage 3.
std::vector<double> ExpectStage3ReducesErrors(const solver::PhotometricOptions& photo_options) {
  const model::MorphableModel model =
      model::LoadModelDirectory(morphfit::testing::RequireSharedPath("models/sfm"));
  // The model's own world: yaw +-45, 1 px landmark noise, image noise, textured background.
  const SceneOptions options = SceneOptions::PhotometricBenchmark();
  const solver::FitOptions fit_options;
  std::vector<double> before, after, normal_before, normal_after;
  // 40 faces, as the benchmark's default run (seeds 1-40: `photometric_accuracy 40 1`).
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const SyntheticScene scene = MakeSyntheticScene(model, options, Corruption::kNone, seed);
    const StageComparison c = CompareStages(model, scene, fit_options, photo_options);
    before.push_back(c.landmarks.depth_rmse_mm);
    after.push_back(c.photometric.depth_rmse_mm);
    normal_before.push_back(c.landmarks.normal_error_deg);
    normal_after.push_back(c.photometric.normal_error_deg);
    // The fit explains the photo: most samples are inliers and the typical residual is near the
    // image noise (0.02 per channel).
    EXPECT_GT(c.photometric_stage.photo_inlier_fraction, 0.9) << seed;
    EXPECT_LT(c.photometric_stage.photo_median_abs, 3 * options.image_noise) << seed;
    EXPECT_GT(c.photometric.coverage, 0.9) << seed;
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  // Issue 5: the photometric stage reduces the median depth RMSE by at least 15%.
  EXPECT_LT(median(after), 0.85 * median(before))
      << "median depth RMSE " << median(before) << " -> " << median(after) << " mm";
  EXPECT_LT(median(normal_after), median(normal_before))
      << "median normal error " << median(normal_before) << " -> " << median(normal_after);
  return after;
}

TEST(PhotometricSyntheticTest, ReducesDepthAndNormalErrorOfTheLandmarkFit) {
  ExpectStage3ReducesErrors(solver::PhotometricOptions());
}

// The faster option (lighting held at its closed-form estimate inside each solve) must keep the
// accuracy bound, and must change the fit (else the option does nothing): the first faces are
// fitted again with the lighting refined (the test above covers all 40 that way).
TEST(PhotometricSyntheticTest, LightingHeldInTheSolveKeepsTheAccuracy) {
  solver::PhotometricOptions held;
  held.refine_lighting_in_solve = false;
  const std::vector<double> with_held = ExpectStage3ReducesErrors(held);
  const model::MorphableModel model =
      model::LoadModelDirectory(morphfit::testing::RequireSharedPath("models/sfm"));
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const SyntheticScene scene =
        MakeSyntheticScene(model, SceneOptions::PhotometricBenchmark(), Corruption::kNone, seed);
    const StageComparison refined =
        CompareStages(model, scene, solver::FitOptions(), solver::PhotometricOptions());
    EXPECT_GT(std::abs(refined.photometric.depth_rmse_mm - with_held[seed - 1]), 1e-6) << seed;
  }
}

// Albedo with detail at a few mm (stripes across the face, +-30%), as brows and lips have.
PhotoTexture StripedTexture(const model::MorphableModel& model) {
  PhotoTexture texture;
  texture.relative_albedo.resize(3, model.num_vertices());
  for (int v = 0; v < model.num_vertices(); ++v) {
    const double x = model.mean[3 * v], y = model.mean[3 * v + 1];
    texture.relative_albedo.col(v).setConstant(1.0 + 0.3 * std::sin(2 * M_PI * (x + 0.5 * y) / 12));
  }
  return texture;
}

TEST(PhotometricSyntheticTest, DenseAlbedoSamplesFollowDetailedAlbedo) {
  const model::MorphableModel model =
      model::LoadModelDirectory(morphfit::testing::RequireSharedPath("models/sfm"));
  SceneOptions options = SceneOptions::PhotometricBenchmark();
  options.albedo_textures = std::make_shared<std::vector<PhotoTexture>>(1, StripedTexture(model));
  const SyntheticScene scene = MakeSyntheticScene(model, options, Corruption::kNone, 3);
  Eigen::Matrix3Xd true_vertices;
  render::TransformToCamera(
      scene.face.camera,
      model.InstanceVertices(scene.face.shape_coefficients, scene.face.expression_coefficients),
      true_vertices);
  const std::vector<bool> visible =
      render::VisibleVertices(true_vertices, scene.face.camera, scene.truth);
  // Correlation of the fitted red albedo with the true one over the visible vertices.
  auto albedo_correlation = [&](int albedo_samples) {
    solver::FitOptions fit_options;
    solver::PhotometricOptions photo_options;
    photo_options.albedo_samples = albedo_samples;
    photo_options.albedo_smoothness_weight = 0.01;
    solver::FitResult fit =
        solver::Fit(model, scene.landmarks, {scene.image.cols, scene.image.rows}, fit_options);
    solver::RunPhotometricStage(model, scene.image, scene.landmarks, fit_options, photo_options,
                                fit);
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    int n = 0;
    for (int v = 0; v < model.num_vertices(); ++v) {
      if (!visible[v]) continue;
      const double a = fit.vertex_albedo(0, v), b = scene.vertex_albedo(0, v);
      sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b, ++n;
    }
    return (sab - sa * sb / n) / std::sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
  };
  const double sparse = albedo_correlation(0), dense = albedo_correlation(8000);
  // The stripes' 12 mm period is a few vertex spacings, so neither follows them fully; the dense
  // samples must follow them clearly better (measured: 0.39 sparse, 0.68 dense).
  EXPECT_GT(dense, sparse + 0.2) << "sparse " << sparse << ", dense " << dense;
}

}  // namespace
}  // namespace morphfit::synth
