#include "morphfit/solver/face_crop.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "morphfit/model/error.h"

namespace morphfit::solver {

render::Camera CropLevel::LevelCamera(const render::Camera& full) const {
  render::Camera camera = full;
  camera.focal = scale * full.focal;
  camera.principal_point = FromFull(full.principal_point);
  camera.width = image.cols;
  camera.height = image.rows;
  return camera;
}

std::vector<CropLevel> BuildFacePyramid(const cv::Mat& image, const Eigen::Vector4d& face_box,
                                        double face_size, int levels, double margin) {
  if (image.empty()) throw Error("face crop: empty image");
  if (levels < 1 || face_size < 8) throw Error("face crop: bad pyramid levels or face size");
  const double box_w = face_box[2] - face_box[0];
  const double box_h = face_box[3] - face_box[1];
  if (!(box_w > 0 && box_h > 0)) throw Error("face crop: empty face box");
  const double pad = margin * std::max(box_w, box_h);
  const int x0 = std::clamp(static_cast<int>(std::floor(face_box[0] - pad)), 0, image.cols - 1);
  const int y0 = std::clamp(static_cast<int>(std::floor(face_box[1] - pad)), 0, image.rows - 1);
  const int x1 = std::clamp(static_cast<int>(std::ceil(face_box[2] + pad)), x0 + 1, image.cols);
  const int y1 = std::clamp(static_cast<int>(std::ceil(face_box[3] + pad)), y0 + 1, image.rows);

  cv::Mat rgb;
  const cv::Mat roi = image(cv::Rect(x0, y0, x1 - x0, y1 - y0));
  if (roi.channels() == 1)
    cv::cvtColor(roi, rgb, cv::COLOR_GRAY2RGB);
  else if (roi.channels() == 4)
    cv::cvtColor(roi, rgb, cv::COLOR_BGRA2RGB);
  else
    cv::cvtColor(roi, rgb, cv::COLOR_BGR2RGB);
  rgb.convertTo(rgb, CV_32FC3, image.depth() == CV_16U ? 1.0 / 65535.0 : 1.0 / 255.0);

  const double base_scale = std::min(1.0, face_size / std::max(box_w, box_h));
  std::vector<CropLevel> pyramid(levels);
  for (int l = 0; l < levels; ++l) {
    CropLevel& level = pyramid[l];
    level.origin = Eigen::Vector2d(x0, y0);
    // Given factors and no size, cv::resize maps pixel centres with exactly this scale.
    level.scale = base_scale / (1 << l);
    if (level.scale == 1.0)
      level.image = rgb;
    else
      cv::resize(rgb, level.image, cv::Size(), level.scale, level.scale, cv::INTER_AREA);
  }
  return pyramid;
}

}  // namespace morphfit::solver
