#pragma once

// How far a fit is from the truth of a synthetic scene, measured on the maps the dataset keeps.

#include <array>
#include <limits>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/frame.h"
#include "morphfit/solver/fit_types.h"

namespace morphfit::synth {

// NaN until measured, so that a failed fit reads as "no value", never as a perfect one.
struct TruthComparison {
  static constexpr double kUnmeasured = std::numeric_limits<double>::quiet_NaN();
  // Share of the true face mask the fitted face covers.
  double coverage = kUnmeasured;
  // Over pixels both cover: RMS depth difference after removing the median difference (a
  // monocular fit cannot know the absolute distance better than its scale / distance trade-off),
  // in mm; the mean angle between fitted and true normals, degrees.
  double depth_rmse_mm = kUnmeasured;
  double depth_offset_mm = kUnmeasured;
  double normal_error_deg = kUnmeasured;
  // Fitted model landmarks against the clean true landmarks over the mapped landmarks, RMS
  // divided by the true outer-eye-corner distance.
  double landmark_nme = kUnmeasured;
};

// The landmarks the model maps (66 of the SFM's 68): where fitted and reference landmarks compare.
std::array<bool, 68> MappedLandmarks(const model::MorphableModel& model);

// `fit_frame` is the fit rendered at the truth's image size with normals.
TruthComparison CompareWithTruth(const render::Frame& truth, const render::Frame& fit_frame,
                                 const model::MorphableModel& model,
                                 const solver::FitResult& result, const Landmarks& true_landmarks);

}  // namespace morphfit::synth
