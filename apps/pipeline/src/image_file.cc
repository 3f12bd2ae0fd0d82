#include "morphfit/pipeline/image_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

namespace morphfit::pipeline {

bool IsImageFile(const std::string& path) {
  static constexpr std::array<const char*, 9> kExtensions = {
      ".jpg", ".jpeg", ".png", ".ppm", ".pgm", ".bmp", ".tif", ".tiff", ".webp"};
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

}  // namespace morphfit::pipeline
