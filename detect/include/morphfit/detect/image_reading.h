#pragma once

#include <string>
#include <string_view>

#include <opencv2/core/mat.hpp>

namespace morphfit::detect {

// True for the extensions (any case) of the formats OpenCV's imgcodecs reads on Debian: JPEG,
// PNG, PPM/PGM, BMP, TIFF, WebP. morphfit-detect, morphfit-eval and morphfit-batch list folders
// with it, so the three apps agree on what a folder of images holds.
bool IsImageFile(const std::string& path);

// Whether `bytes` are a JPEG file cut short: no end-of-image marker after its last scan.
bool IsTruncatedJpeg(std::string_view bytes);

// Reads an image as 8-bit BGR (grey images are expanded). Throws morphfit::Error naming the file
// when it is missing, cannot be decoded, or is a truncated JPEG (which OpenCV decodes in part,
// the rest grey, without an error).
cv::Mat ReadColorImage(const std::string& path);

}  // namespace morphfit::detect
