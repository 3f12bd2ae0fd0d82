#pragma once

#include "morphfit/model/landmarks.h"
#include "morphfit/model/morphable_model.h"
#include "morphfit/render/camera.h"

namespace morphfit::solver {

// Stage 1: the pose of the mean face from its fixed (non-contour) mapped landmarks by
// perspective-n-point (cv::solvePnP, SQPnP then Levenberg-Marquardt refinement), for a camera of
// the given image size and focal length. Throws morphfit::Error if no pose puts the face in front
// of the camera.
render::Camera EstimateRigidPose(const model::MorphableModel& model, const Landmarks& landmarks,
                                 int width, int height, double focal);

}  // namespace morphfit::solver
