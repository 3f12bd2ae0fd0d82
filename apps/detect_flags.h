#pragma once

// The gflags of landmark detection (--landmark_model, --max_detect_side, --upsample_times,
// --face_index, --all_faces), defined once for every app that detects (morphfit-detect,
// morphfit-fit, and morphfit-batch to come): link morphfit_detect_flags and call these after
// parsing.

#include "morphfit/detect/detector_options.h"
#include "morphfit/detect/face_selection.h"

namespace morphfit::apps {

// detect::DetectorOptions from the flags, validated; throws morphfit::Error naming a bad value
// (apps exit with kExitBadFlags on it).
detect::DetectorOptions DetectorOptionsFromFlags();

// The face policy: --all_faces, --face_index N, else the largest. Throws morphfit::Error when
// both are given or the index is negative.
detect::FaceSelection FaceSelectionFromFlags();

// True when --face_index or --all_faces asks for a face other than the default.
bool FaceSelectionFlagsGiven();

}  // namespace morphfit::apps
