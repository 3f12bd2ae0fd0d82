#pragma once

// Which files the apps treat as images, and reading one with an error that names it.

#include <string>

#include <opencv2/core/mat.hpp>

namespace morphfit::pipeline {

// True for the extensions (any case) of the formats OpenCV's imgcodecs reads on Debian: JPEG,
// PNG, PPM/PGM, BMP, TIFF, WebP. morphfit-detect, morphfit-eval and morphfit-batch list folders
// with it, so the three apps agree on what a folder of images holds.
bool IsImageFile(const std::string& path);

// The image as 8-bit BGR. Throws morphfit::FileError naming `path` when it is missing or cannot
// be decoded.
cv::Mat ReadImage(const std::string& path);

}  // namespace morphfit::pipeline
