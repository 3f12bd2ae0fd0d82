#pragma once

// Per-vertex albedo taken from real photographs, for synthetic scenes (issue 5, item 7: "albedo
// taken from textures extracted from real sample photos"): the photo's landmarks are fitted
// (stages 1-2), each visible vertex takes the photo's colour at its projection, the photo's own
// lighting is divided out (second-order SH times one albedo per channel, fitted to those colours),
// and vertices the photo does not show take their mirror vertex's value or, failing that, their
// neighbours'. What is left is the skin's own variation: brows, lips, beard, blemishes, make-up,
// and whatever the de-lighting could not explain (hair over the skin, fitting error), which is
// what real faces give a fit too. Read at run time; nothing of the photos is stored.

#include <string>
#include <vector>

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"

namespace morphfit::synth {

struct PhotoTexture {
  std::string source;  // the photo it came from
  // Per-vertex RGB relative to the face's mean colour (mean 1 per channel over the vertices the
  // photo showed); a scene multiplies it by its skin colour.
  Eigen::Matrix3Xd relative_albedo;
  std::vector<bool> observed;    // per vertex: took its colour from the photo itself
  double observed_fraction = 0;  // share of such vertices
};

// `image` CV_8UC3 BGR with its 68 landmarks. Throws morphfit::Error when the fit fails.
PhotoTexture ExtractPhotoTexture(const model::MorphableModel& model, const cv::Mat& image,
                                 const Landmarks& landmarks, const std::string& source);

// The same from known geometry: model-space vertices seen by `camera` (pose and intrinsics).
PhotoTexture TextureFromGeometry(const model::MorphableModel& model, const cv::Mat& image,
                                 const Eigen::Matrix3Xd& vertices, const render::Camera& camera,
                                 const std::string& source);

// Every `NAME.jpg`/`NAME.png` with a `NAME.pts` in `directory`, in name order. Photos that fail
// (unreadable, bad landmarks, failed fit) are skipped, each with its error appended to `skipped`
// when given. Throws morphfit::Error when none is usable.
std::vector<PhotoTexture> ExtractPhotoTextures(const model::MorphableModel& model,
                                               const std::string& directory,
                                               std::vector<std::string>* skipped = nullptr);

}  // namespace morphfit::synth
