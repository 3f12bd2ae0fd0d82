// Diagnostic (issue 5): stage 3's update applied with a fraction alpha of its step, from the
// stage-2 fit towards the stage-3 fit (coefficients, translation and focal linearly, rotation by
// slerp), on the synthetic scenes of photometric_accuracy. Does shrinking a step whose direction
// is sometimes wrong make fewer faces worse at an acceptable cost in median gain? Prints per face
// the depth RMSE at alpha = 0 (stage 2), 0.5, ..., 1 (stage 3), then per alpha the median, its
// change from stage 2 and the faces made worse.
//
//   photometric_step_fraction [cases=40] [first_seed=1000] [name value]...
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <Eigen/Geometry>

#include "morphfit/model/model_io.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/solver/fit.h"
#include "morphfit/solver/photometric_stage.h"
#include "morphfit/solver/robust_statistics.h"
#include "morphfit/synth/truth_comparison.h"
#include "synthetic_bench_options.h"

int main(int argc, char** argv) {
  using namespace morphfit;
  using solver::Median;
  bench::SyntheticBenchArgs args;
  if (!bench::ParseSyntheticBenchArgs(argc, argv, 40, {}, args)) return 2;
  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(MORPHFIT_SHARED_DIR "/models/sfm"));
  bench::LoadPhotoTextures(model, args);
  const std::vector<double> alphas = {0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  std::vector<std::vector<double>> rmse(alphas.size()), nerr(alphas.size());
  for (int c = 0; c < args.cases; ++c) {
    const synth::SyntheticScene scene =
        synth::MakeSyntheticScene(model, args.scene, synth::Corruption::kNone, args.first_seed + c);
    solver::FitResult s2 =
        solver::Fit(model, scene.landmarks, {scene.image.cols, scene.image.rows}, args.fit);
    solver::FitResult s3 = s2;
    solver::RunPhotometricStage(model, scene.image, scene.landmarks, args.fit, args.photo, s3);
    std::printf("%d", args.first_seed + c);
    for (size_t a = 0; a < alphas.size(); ++a) {
      const double t = alphas[a];
      solver::FitResult f = s3;
      f.shape_coefficients =
          s2.shape_coefficients + t * (s3.shape_coefficients - s2.shape_coefficients);
      f.expression_coefficients = s2.expression_coefficients +
                                  t * (s3.expression_coefficients - s2.expression_coefficients);
      const Eigen::Quaterniond q2(s2.camera.rotation), q3(s3.camera.rotation);
      f.camera.rotation = q2.slerp(t, q3).toRotationMatrix();
      f.camera.translation =
          s2.camera.translation + t * (s3.camera.translation - s2.camera.translation);
      f.camera.focal = s2.camera.focal + t * (s3.camera.focal - s2.camera.focal);
      f.camera.principal_point =
          s2.camera.principal_point + t * (s3.camera.principal_point - s2.camera.principal_point);
      const render::Frame frame = render::RenderModelSpaceMesh(
          model.InstanceVertices(f.shape_coefficients, f.expression_coefficients), model.triangles,
          f.camera);
      const synth::TruthComparison tc =
          synth::CompareWithTruth(scene.truth, frame, model, f, scene.face.clean_landmarks);
      rmse[a].push_back(tc.depth_rmse_mm);
      nerr[a].push_back(tc.normal_error_deg);
      std::printf(" %.3f", tc.depth_rmse_mm);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  const double base = Median(rmse[0]);
  for (size_t a = 0; a < alphas.size(); ++a) {
    int worse = 0;
    for (int c = 0; c < args.cases; ++c) worse += rmse[a][c] > rmse[0][c];
    std::printf("alpha %.1f: median %.3f mm (%+.1f%%), worse %d of %d (%.1f%%), normals %.2f deg\n",
                alphas[a], Median(rmse[a]), 100 * (Median(rmse[a]) - base) / base, worse,
                args.cases, 100.0 * worse / args.cases, Median(nerr[a]));
  }
}
