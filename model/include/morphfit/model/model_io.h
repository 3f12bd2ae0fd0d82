#pragma once

#include <string>
#include <vector>

#include "morphfit/model/morphable_model.h"

namespace morphfit::model {

// Loaders. Each throws morphfit::Error naming the file and what was expected when the file is
// missing, truncated or malformed.

// eos binary MorphableModel (cereal binary archive, class versions 1-4).
MorphableModel LoadEosModel(const std::string& path);
// eos expression blendshapes (cereal vector<Blendshape>), as a blendshape LinearBasis.
LinearBasis LoadEosBlendshapes(const std::string& path);
// eos reference symmetry list: line i (1-based) holds the 1-based mirror of vertex i. Returns a
// 0-based vector of `num_vertices` entries, -1 for vertices the file does not cover.
std::vector<int> LoadSymmetry(const std::string& path, int num_vertices);
// Basel Face Model 2017 HDF5 layout (shape/, expression/, color/ groups).
MorphableModel LoadBfm2017(const std::string& path);

// Loads everything a model folder holds: the SFM file set (sfm_shape_3448.bin,
// expression_blendshapes_3448.bin, ibug_to_sfm.txt, sfm_model_contours.json,
// sfm_reference_symmetry.txt), or a BFM-2017 .h5 file with optional ibug mapping/contours.
MorphableModel LoadModelDirectory(const std::string& directory);

// Finds the model folder: `flag_value` if non-empty, else $MORPHFIT_MODEL_DIR, else the default
// locations (data/models/sfm and ../shared/models/sfm relative to the working directory and to the
// source tree, then the installed share folder). Throws morphfit::Error that lists the places
// looked at and how to get the model.
std::string FindModelDirectory(const std::string& flag_value);
// The same search with the environment value and the default locations passed in (empty
// env_value = unset), so that the order can be tested without touching the process.
std::string FindModelDirectory(const std::string& flag_value, const std::string& env_value,
                               const std::vector<std::string>& defaults);
// The default locations, in the order they are tried.
std::vector<std::string> DefaultModelDirectories();

}  // namespace morphfit::model
