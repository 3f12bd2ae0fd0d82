#include "morphfit/solver/rigid_init.h"

#include <string>
#include <vector>

#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include "morphfit/model/error.h"

namespace morphfit::solver {

render::Camera EstimateRigidPose(const model::MorphableModel& model, const Landmarks& landmarks,
                                 int width, int height, double focal) {
  std::vector<cv::Point3d> model_points;
  std::vector<cv::Point2d> image_points;
  for (int i = 0; i < model::kNumIbugLandmarks; ++i) {
    if (!model.landmarks.IsFixed(i)) continue;
    const Eigen::Vector3d p = model.mean.segment<3>(3 * model.landmarks.vertex[i]);
    model_points.emplace_back(p.x(), p.y(), p.z());
    image_points.emplace_back(landmarks(i, 0), landmarks(i, 1));
  }
  if (model_points.size() < 6) {
    throw Error(model.name + ": only " + std::to_string(model_points.size()) +
                " fixed landmark vertices, the rigid initialisation needs at least 6");
  }
  render::Camera camera = render::Camera::ForImage(width, height, focal);
  const cv::Matx33d intrinsics(focal, 0, camera.principal_point.x(), 0, focal,
                               camera.principal_point.y(), 0, 0, 1);
  cv::Vec3d rvec, tvec;
  // SQPnP asserts (throws) when the landmarks' rays spread by less than about 0.2 degrees (a
  // variance of 1e-5 in normalised image coordinates): a face of under about 100 pixels in a photo
  // thousands of pixels wide. EPnP takes over there; the iterative solver then refines either.
  bool found = false;
  try {
    found = cv::solvePnP(model_points, image_points, intrinsics, cv::noArray(), rvec, tvec, false,
                         cv::SOLVEPNP_SQPNP);
  } catch (const cv::Exception&) {
    found = false;
  }
  try {
    if (!found) {
      found = cv::solvePnP(model_points, image_points, intrinsics, cv::noArray(), rvec, tvec, false,
                           cv::SOLVEPNP_EPNP);
    }
    found = found && cv::solvePnP(model_points, image_points, intrinsics, cv::noArray(), rvec, tvec,
                                  true, cv::SOLVEPNP_ITERATIVE);
  } catch (const cv::Exception& e) {
    throw Error(std::string("rigid initialisation: solvePnP failed on the landmarks: ") + e.what());
  }
  if (!found) throw Error("rigid initialisation: solvePnP found no pose for the landmarks");
  cv::Matx33d rotation;
  cv::Rodrigues(rvec, rotation);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) camera.rotation(r, c) = rotation(r, c);
    camera.translation[r] = tvec[r];
  }
  if (!(camera.translation.z() > 0)) {
    throw Error("rigid initialisation: the best pose puts the face behind the camera");
  }
  return camera;
}

}  // namespace morphfit::solver
