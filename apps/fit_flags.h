#pragma once

// The gflags of the fit options (--fov, --landmark_weight, --shape_prior_weight, ...), defined
// once for every app that fits (morphfit-fit, morphfit-batch, morphfit-eval): link
// morphfit_fit_flags and call FitOptionsFromFlags() after parsing.

#include "morphfit/solver/fit_options.h"

namespace morphfit::apps {

// solver::FitOptions from the flags, validated; throws morphfit::Error naming a bad value (apps
// exit with kExitBadFlags on it).
solver::FitOptions FitOptionsFromFlags();

}  // namespace morphfit::apps
