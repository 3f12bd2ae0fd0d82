#pragma once

// The quality rule's gflags, shared by morphfit-fit, morphfit-batch and morphfit-eval so that a
// flag file written by `morphfit-eval --calibrate` loads in each of them with --flagfile.

#include "morphfit/solver/quality_rule.h"

namespace morphfit::apps {

// The rule the flags describe. Throws morphfit::Error (exit 2 in the apps) when it is invalid.
solver::QualityRule QualityRuleFromFlags();

}  // namespace morphfit::apps
