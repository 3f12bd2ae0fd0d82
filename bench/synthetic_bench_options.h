#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "morphfit/solver/fit_options.h"
#include "morphfit/solver/photometric_options.h"
#include "morphfit/synth/photo_texture.h"
#include "morphfit/synth/synthetic_scene.h"

namespace morphfit::bench {

// Faces about 256 pixels tall in 480 x 480 images; yaw within +-45 degrees and 1 px landmark
// noise are the generator's defaults.
inline synth::SceneOptions SyntheticBenchScene() {
  // The idealised generator (no annotation-style noise, hair or shadows), as issue 5 specifies.
  return synth::SceneOptions::PhotometricBenchmark();
}

// The `name value` arguments the synthetic photometric benches share. Returns false for an
// unknown name.
inline bool SetSyntheticBenchOption(const std::string& name, double value,
                                    synth::SceneOptions& scene, solver::FitOptions& fit,
                                    solver::PhotometricOptions& photo) {
  if (name == "noise")
    scene.image_noise = value;
  else if (name == "albedo_variation")
    scene.albedo_variation = value;
  else if (name == "max_blendshape_weight")
    scene.face.max_blendshape_weight = value;
  else if (name == "shape_prior")
    fit.shape_prior_weight = value;
  else if (name == "expression_prior")
    fit.expression_prior_weight = value;
  else if (name == "landmark_weight")
    fit.landmark_weight = value;
  else if (name == "optimize_focal")
    fit.optimize_focal = value != 0;
  else if (name == "photo_weight")
    photo.photo_weight = value;
  else if (name == "samples")
    photo.samples = static_cast<int>(value);
  else if (name == "albedo_prior")
    photo.albedo_prior_weight = value;
  else if (name == "albedo_smooth")
    photo.albedo_smoothness_weight = value;
  else if (name == "albedo_symmetry")
    photo.albedo_symmetry_weight = value;
  else if (name == "light_prior")
    photo.light_prior_weight = value;
  else if (name == "robust_loss" && value >= 0 && value <= 2)  // 0 none, 1 Huber, 2 Cauchy
    photo.robust_loss = static_cast<solver::RobustLoss>(static_cast<int>(value));
  else if (name == "albedo_samples")
    photo.albedo_samples = static_cast<int>(value);
  else if (name == "robust_scale")
    photo.robust_scale = value;
  else if (name == "outer")
    photo.outer_iterations_per_level = static_cast<int>(value);
  else if (name == "levels")
    photo.pyramid_levels = static_cast<int>(value);
  else if (name == "face_size")
    photo.face_size = value;
  else if (name == "iterations")
    photo.max_iterations = static_cast<int>(value);
  else if (name == "margin")
    photo.silhouette_margin_px = value;
  else if (name == "update_contour")
    photo.update_contour_landmarks = value != 0;
  else if (name == "refine_lighting")
    photo.refine_lighting_in_solve = value != 0;
  else if (name == "albedo_smooth_start")
    photo.initial_albedo_smoothness_scale = value;
  else if (name == "prior_scale")
    photo.prior_scale = value;
  else
    return false;
  return true;
}

// The command line the synthetic photometric benches share:
//   program [cases] [first_seed] [name value]...
// Names SetSyntheticBenchOption knows set the options; those in `extra_names` go to `extra` for
// the program to read. Returns false (after printing the name) on an unknown name.
struct SyntheticBenchArgs {
  int cases = 0;
  int first_seed = 1000;
  synth::SceneOptions scene = SyntheticBenchScene();
  solver::FitOptions fit;
  solver::PhotometricOptions photo;
  // `photo_textures K`: albedo from the sample photos' textures (synth/photo_texture.h) instead of
  // the smooth pattern; K = 1 every photo, 2 / 3 the first / second of each pair in name order
  // (two disjoint halves, so that one can be looked at while the other stays unseen).
  // `symmetric_textures 1` averages each texture with its mirror image (a diagnosis: is the
  // texture's asymmetry what misleads stage 3?).
  int photo_textures = 0;
  std::map<std::string, double> extra;
  double Extra(const std::string& name, double fallback) const {
    const auto it = extra.find(name);
    return it == extra.end() ? fallback : it->second;
  }
};

inline bool ParseSyntheticBenchArgs(int argc, char** argv, int default_cases,
                                    const std::set<std::string>& extra_names,
                                    SyntheticBenchArgs& args) {
  args.cases = argc > 1 ? std::atoi(argv[1]) : default_cases;
  args.first_seed = argc > 2 ? std::atoi(argv[2]) : 1000;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const double value = std::atof(argv[i + 1]);
    if (extra_names.count(name) || name == "symmetric_textures") {
      args.extra[name] = value;
    } else if (name == "photo_textures" && value >= 0 && value <= 3) {
      args.photo_textures = static_cast<int>(value);
    } else if (!SetSyntheticBenchOption(name, value, args.scene, args.fit, args.photo)) {
      std::fprintf(stderr, "unknown option %s\n", name.c_str());
      return false;
    }
  }
  return true;
}

// Extracts the textures `args.photo_textures` asks for from the shared sample photos into the
// scene options; prints how many. Throws morphfit::Error when there are none.
inline void LoadPhotoTextures(const model::MorphableModel& model, SyntheticBenchArgs& args) {
  if (args.photo_textures == 0) return;
  std::vector<std::string> skipped;
  std::vector<synth::PhotoTexture> all =
      synth::ExtractPhotoTextures(model, MORPHFIT_SHARED_DIR "/samples", &skipped);
  for (const std::string& why : skipped) std::printf("texture skipped: %s\n", why.c_str());
  auto chosen = std::make_shared<std::vector<synth::PhotoTexture>>();
  for (size_t i = 0; i < all.size(); ++i) {
    if (args.photo_textures == 1 || static_cast<int>(i % 2) == args.photo_textures - 2) {
      chosen->push_back(std::move(all[i]));
    }
  }
  if (args.Extra("symmetric_textures", 0) != 0 &&
      static_cast<int>(model.symmetry.size()) == model.num_vertices()) {
    for (synth::PhotoTexture& t : *chosen) {
      const Eigen::Matrix3Xd a = t.relative_albedo;
      for (int v = 0; v < model.num_vertices(); ++v)
        if (model.symmetry[v] >= 0)
          t.relative_albedo.col(v) = 0.5 * (a.col(v) + a.col(model.symmetry[v]));
    }
  }
  std::printf("albedo: %zu photo textures (set %d)\n", chosen->size(), args.photo_textures);
  args.scene.albedo_textures = std::move(chosen);
}

}  // namespace morphfit::bench
