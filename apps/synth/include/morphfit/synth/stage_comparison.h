#pragma once

// The photometric stage's effect on a synthetic scene: the same stage-2 fit continued with
// stage 3, both compared with the truth.

#include "morphfit/model/morphable_model.h"
#include "morphfit/solver/fit_options.h"
#include "morphfit/solver/fit_types.h"
#include "morphfit/solver/photometric_options.h"
#include "morphfit/synth/synthetic_scene.h"
#include "morphfit/synth/truth_comparison.h"

namespace morphfit::synth {

struct StageComparison {
  TruthComparison landmarks;    // after stages 1-2 (--stages=landmarks)
  TruthComparison photometric;  // after stages 1-3 (--stages=photometric)
  // Processor time (the fit is single-threaded; this stays meaningful on a loaded machine).
  double landmark_seconds = 0;     // stages 1-2
  double photometric_seconds = 0;  // stage 3
  solver::StageStatistics photometric_stage;
};

// `scene` must have a face (no kNonFace).
StageComparison CompareStages(const model::MorphableModel& model, const SyntheticScene& scene,
                              const solver::FitOptions& fit_options,
                              const solver::PhotometricOptions& photo_options);

}  // namespace morphfit::synth
