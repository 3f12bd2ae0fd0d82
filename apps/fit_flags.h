#pragma once

// The gflags of the fit options (--fov, --landmark_weight, --shape_prior_weight, ...), defined
// once for every app that fits (morphfit-fit, morphfit-batch, morphfit-eval): link
// morphfit_fit_flags and call FitOptionsFromFlags() after parsing.

#include <string>

#include "morphfit/solver/fit_options.h"
#include "morphfit/solver/photometric_options.h"

namespace morphfit::apps {

// solver::FitOptions from the flags, validated; throws morphfit::Error naming a bad value (apps
// exit with kExitBadFlags on it).
solver::FitOptions FitOptionsFromFlags();
// solver::PhotometricOptions (stage 3) from the flags, validated in the same way.
solver::PhotometricOptions PhotometricOptionsFromFlags();
// The value of --stages: "landmarks" (stages 1-2) or "photometric" (stages 1-3).
std::string FitStagesFlag();

}  // namespace morphfit::apps
