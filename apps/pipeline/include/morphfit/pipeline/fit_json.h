#pragma once

#include <string>

#include "morphfit/model/morphable_model.h"
#include "morphfit/pipeline/fit_image.h"
#include "morphfit/render/map_io.h"

namespace morphfit::pipeline {

// The content of fit.json (see README "Fitting" for the fields): coefficients, camera, per-stage
// statistics, timings, options, model and program versions, depth.png's range, and the verdict.
// Deterministic apart from the "timings_seconds" and per-stage "seconds" values.
std::string FitJson(const model::MorphableModel& model, const ImageInput& input,
                    const ImageResult& result, const PipelineOptions& options,
                    const render::DepthRange& depth_range);

}  // namespace morphfit::pipeline
