#include "morphfit/detect/image_reading.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

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

bool IsTruncatedJpeg(const std::string& bytes) {
  if (bytes.size() < 3 || bytes.compare(0, 3, "\xFF\xD8\xFF") != 0) return false;
  // Inside a scan's entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the
  // end-of-image marker after the last start-of-scan marker is the image's own (an EXIF thumbnail's
  // comes before it).
  const size_t last_scan = bytes.rfind("\xFF\xDA");
  if (last_scan == std::string::npos) return false;  // no image data: the decoder says so
  return bytes.find("\xFF\xD9", last_scan + 2) == std::string::npos;
}

cv::Mat ReadColorImage(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw FileError(path, "image file not found");
  // libjpeg decodes a JPEG cut short, fills the rest grey and only prints "Premature end of JPEG
  // file"; a fit of that image would be kept. Checking the bytes costs a read of the file (from
  // the page cache once imread has read it), a few percent of decoding it.
  cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) throw FileError(path, "cannot decode the image (unsupported or corrupt file)");
  std::ifstream stream(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(stream)),
                          std::istreambuf_iterator<char>());
  if (IsTruncatedJpeg(bytes)) {
    throw FileError(path,
                    "truncated JPEG: the data ends before the end-of-image marker (an incomplete "
                    "download or copy?)");
  }
  return image;
}

}  // namespace morphfit::detect
