#include "morphfit/detect/image_reading.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "morphfit/model/error.h"

namespace morphfit::detect {

bool IsImageFile(const std::string& path) {
  static constexpr std::array<const char*, 9> kExtensions = {
      ".jpg", ".jpeg", ".png", ".ppm", ".pgm", ".bmp", ".tif", ".tiff", ".webp"};
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

cv::Mat ReadColorImage(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw FileError(path, "image file not found");
  cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) throw FileError(path, "cannot decode the image (unsupported or corrupt file)");
  return image;
}

}  // namespace morphfit::detect
