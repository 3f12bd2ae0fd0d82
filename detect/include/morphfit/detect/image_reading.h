#pragma once

#include <string>

#include <opencv2/core/mat.hpp>

namespace morphfit::detect {

// Reads an image as 8-bit BGR (grey images are expanded). Throws morphfit::Error naming the file
// when it is missing or cannot be decoded.
cv::Mat ReadColorImage(const std::string& path);

}  // namespace morphfit::detect
