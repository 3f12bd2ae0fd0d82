#include "morphfit/detect/image_reading.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

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

bool IsTruncatedJpeg(std::string_view bytes) {
  if (bytes.substr(0, 3) != "\xFF\xD8\xFF") return false;
  // Inside a scan's entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the
  // end-of-image marker after the last start-of-scan marker is the image's own (an EXIF thumbnail's
  // comes before it).
  const size_t last_scan = bytes.rfind("\xFF\xDA");
  if (last_scan == std::string_view::npos) return false;  // no image data: the decoder says so
  return bytes.find("\xFF\xD9", last_scan + 2) == std::string_view::npos;
}

cv::Mat ReadColorImage(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw FileError(path, "image file not found");
  // Read once and decoded from memory (imdecode applies the EXIF orientation as imread does), so
  // that the bytes can be checked: libjpeg decodes a JPEG cut short, fills the rest grey and only
  // prints "Premature end of JPEG file", and a fit of that image would be kept.
  std::ifstream stream(path, std::ios::binary);
  const std::vector<uchar> bytes((std::istreambuf_iterator<char>(stream)),
                                 std::istreambuf_iterator<char>());
  if (!stream.good() && !stream.eof()) throw FileError(path, "cannot read the image file");
  if (IsTruncatedJpeg({reinterpret_cast<const char*>(bytes.data()), bytes.size()})) {
    throw FileError(path,
                    "truncated JPEG: the data ends before the end-of-image marker (an incomplete "
                    "download or copy?)");
  }
  cv::Mat image = bytes.empty() ? cv::Mat() : cv::imdecode(bytes, cv::IMREAD_COLOR);
  if (image.empty()) throw FileError(path, "cannot decode the image (unsupported or corrupt file)");
  return image;
}

}  // namespace morphfit::detect
