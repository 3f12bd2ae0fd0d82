#pragma once

#include "morphfit/model/model_io.h"
#include "shared_data.h"

namespace morphfit::testing {

// The SFM, loaded once for all solver tests (read-only).
inline const model::MorphableModel& SfmModel() {
  static const model::MorphableModel model =
      model::LoadModelDirectory(RequireSharedPath("models/sfm"));
  return model;
}

}  // namespace morphfit::testing
