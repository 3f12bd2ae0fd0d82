// Synthetic ground-truth evaluation of the photometric stage (issue 5, section 7): random faces
// (shape and expression within +-2 std, yaw within +-45 degrees, random SH lighting, smooth
// random albedo, textured background, 1 px landmark noise, image noise) fitted with stages 1-2
// and with stages 1-3. Prints the per-case and median depth RMSE (inside the true face mask,
// after removing the median depth offset, as synth::CompareWithTruth measures it) and normal
// error.
//
//   photometric_accuracy [cases=40] [first_seed=1000] [name value]...
// with the names of synthetic_bench_options.h, and `oracle_albedo K`: fit with an albedo PCA of K
// pattern components equal to the scenes' own albedo distribution (oracle_albedo_model.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "morphfit/model/model_io.h"
#include "morphfit/synth/stage_comparison.h"
#include "oracle_albedo_model.h"
#include "synthetic_bench_options.h"

namespace {

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace morphfit;
  bench::SyntheticBenchArgs args;
  if (!bench::ParseSyntheticBenchArgs(argc, argv, 40, {"oracle_albedo"}, args)) return 2;
  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(MORPHFIT_SHARED_DIR "/models/sfm"));
  bench::LoadPhotoTextures(model, args);
  // `oracle_albedo K`: fit with the scenes' own albedo distribution as the model's albedo PCA.
  model::MorphableModel fit_model = model;
  const int oracle_components = static_cast<int>(args.Extra("oracle_albedo", 0));
  if (oracle_components > 0) {
    fit_model.albedo =
        bench::OracleAlbedoModel(model, args.scene.albedo_variation, oracle_components);
  }
  std::vector<double> depth_before, depth_after, aligned_before, aligned_after, normal_before,
      normal_after, t_landmarks, t_photo;
  int worse = 0;
  std::printf(
      "case  depth_rmse_mm(lm -> photo)  |offset|_mm(lm -> photo)  normal_deg(lm -> photo)  "
      "photo_rms inliers  ms(lm, photo)\n");
  for (int c = 0; c < args.cases; ++c) {
    const synth::SyntheticScene scene =
        synth::MakeSyntheticScene(model, args.scene, synth::Corruption::kNone, args.first_seed + c);
    const synth::StageComparison o = synth::CompareStages(fit_model, scene, args.fit, args.photo);
    depth_before.push_back(o.landmarks.depth_rmse_mm);
    depth_after.push_back(o.photometric.depth_rmse_mm);
    aligned_before.push_back(std::abs(o.landmarks.depth_offset_mm));
    aligned_after.push_back(std::abs(o.photometric.depth_offset_mm));
    normal_before.push_back(o.landmarks.normal_error_deg);
    normal_after.push_back(o.photometric.normal_error_deg);
    t_landmarks.push_back(1e3 * o.landmark_seconds);
    t_photo.push_back(1e3 * o.photometric_seconds);
    worse += o.photometric.depth_rmse_mm > o.landmarks.depth_rmse_mm;
    std::printf("%4d  %6.2f -> %6.2f  %6.2f -> %6.2f  %6.2f -> %6.2f  %.4f %.2f  %.1f %.1f\n",
                args.first_seed + c, o.landmarks.depth_rmse_mm, o.photometric.depth_rmse_mm,
                std::abs(o.landmarks.depth_offset_mm), std::abs(o.photometric.depth_offset_mm),
                o.landmarks.normal_error_deg, o.photometric.normal_error_deg,
                o.photometric_stage.photo_rms, o.photometric_stage.photo_inlier_fraction,
                t_landmarks.back(), t_photo.back());
  }
  const double before = Median(depth_before), after = Median(depth_after);
  std::printf("median depth RMSE: landmarks %.2f mm, photometric %.2f mm, reduction %.1f%%\n",
              before, after, 100.0 * (before - after) / before);
  std::printf(
      "median |depth offset| (not observable from one photo, not in the RMSE): "
      "landmarks %.2f mm, photometric %.2f mm\n",
      Median(aligned_before), Median(aligned_after));
  std::printf("median normal error: landmarks %.2f deg, photometric %.2f deg\n",
              Median(normal_before), Median(normal_after));
  std::printf("cases where the photometric stage increased the depth RMSE: %d of %d (%.1f%%)\n",
              worse, args.cases, 100.0 * worse / args.cases);
  std::printf("median time: stages 1-2 %.1f ms, stage 3 %.1f ms\n", Median(t_landmarks),
              Median(t_photo));
  return 0;
}
