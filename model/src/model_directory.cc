#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"

#ifndef MORPHFIT_SOURCE_DIR
#define MORPHFIT_SOURCE_DIR "."
#endif
#ifndef MORPHFIT_INSTALL_DATADIR
#define MORPHFIT_INSTALL_DATADIR "/usr/local/share"
#endif

namespace fs = std::filesystem;

namespace morphfit::model {

namespace {
const char* const kSfmShape = "sfm_shape_3448.bin";
const char* const kSfmBlendshapes = "expression_blendshapes_3448.bin";
const char* const kIbugMapping = "ibug_to_sfm.txt";
const char* const kContours = "sfm_model_contours.json";
const char* const kSymmetry = "sfm_reference_symmetry.txt";
const char* const kHowToGet =
    "get the public Surrey Face Model with scripts/get_models.sh, or point --model_dir or "
    "MORPHFIT_MODEL_DIR at a folder holding it";

bool IsModelDirectory(const fs::path& directory) {
  std::error_code error;
  if (fs::exists(directory / kSfmShape, error)) return true;
  if (!fs::is_directory(directory, error)) return false;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.path().extension() == ".h5") return true;
  }
  return false;
}

fs::path FindFile(const fs::path& directory, const char* name) {
  const fs::path path = directory / name;
  std::error_code error;
  return fs::exists(path, error) ? path : fs::path();
}
}  // namespace

MorphableModel LoadModelDirectory(const std::string& directory_name) {
  const fs::path directory(directory_name);
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    throw FileError(directory_name, "is not a folder; " + std::string(kHowToGet));
  }
  MorphableModel model;
  if (const fs::path shape = FindFile(directory, kSfmShape); !shape.empty()) {
    model = LoadEosModel(shape.string());
    if (const fs::path blendshapes = FindFile(directory, kSfmBlendshapes); !blendshapes.empty()) {
      model.expression = LoadEosBlendshapes(blendshapes.string());
    }
  } else {
    fs::path h5;
    for (const auto& entry : fs::directory_iterator(directory, error)) {
      if (entry.path().extension() == ".h5" && (h5.empty() || entry.path() < h5)) h5 = entry.path();
    }
    if (h5.empty()) {
      throw FileError(directory_name, std::string("holds neither ") + kSfmShape +
                                          " nor a Basel .h5 model; " + kHowToGet);
    }
    model = LoadBfm2017(h5.string());
  }
  if (const fs::path mapping = FindFile(directory, kIbugMapping); !mapping.empty()) {
    ReadIbugMapping(mapping.string(), model.landmarks);
  }
  if (const fs::path contours = FindFile(directory, kContours); !contours.empty()) {
    ReadModelContours(contours.string(), model.landmarks);
  }
  if (const fs::path symmetry = FindFile(directory, kSymmetry); !symmetry.empty()) {
    model.symmetry = LoadSymmetry(symmetry.string(), model.num_vertices());
  }
  model.source = directory_name;
  model.Validate();
  return model;
}

std::vector<std::string> DefaultModelDirectories() {
  return {
      "data/models/sfm",
      "../shared/models/sfm",
      (fs::path(MORPHFIT_SOURCE_DIR) / "data/models/sfm").string(),
      (fs::path(MORPHFIT_SOURCE_DIR) / "../shared/models/sfm").string(),
      (fs::path(MORPHFIT_INSTALL_DATADIR) / "morphfit/models/sfm").string(),
  };
}

std::string FindModelDirectory(const std::string& flag_value) {
  const char* env = std::getenv("MORPHFIT_MODEL_DIR");
  return FindModelDirectory(flag_value, env == nullptr ? "" : env, DefaultModelDirectories());
}

std::string FindModelDirectory(const std::string& flag_value, const std::string& env_value,
                               const std::vector<std::string>& defaults) {
  const std::string expected =
      std::string(" holds no model (expected ") + kSfmShape + " or a Basel .h5 file); " + kHowToGet;
  if (!flag_value.empty()) {
    if (!IsModelDirectory(flag_value)) throw FileError(flag_value, "--model_dir" + expected);
    return flag_value;
  }
  if (!env_value.empty()) {
    if (!IsModelDirectory(env_value)) throw FileError(env_value, "MORPHFIT_MODEL_DIR" + expected);
    return env_value;
  }
  std::string looked;
  for (const std::string& candidate : defaults) {
    if (IsModelDirectory(candidate)) return fs::weakly_canonical(candidate).string();
    looked += (looked.empty() ? "" : ", ") + candidate;
  }
  throw Error(
      "no morphable model found: --model_dir not given, MORPHFIT_MODEL_DIR not set, and "
      "none of " +
      looked + " holds one; " + kHowToGet);
}

}  // namespace morphfit::model
