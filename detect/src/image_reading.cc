#include "morphfit/detect/image_reading.h"

#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "morphfit/model/error.h"

namespace morphfit::detect {

cv::Mat ReadColorImage(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw FileError(path, "image file not found");
  cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) throw FileError(path, "cannot decode the image (unsupported or corrupt file)");
  return image;
}

}  // namespace morphfit::detect
