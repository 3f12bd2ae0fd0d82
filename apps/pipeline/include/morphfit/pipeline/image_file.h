#pragma once

// Which files the apps treat as images (detect::ReadColorImage reads one).

#include <string>

namespace morphfit::pipeline {

// True for the extensions (any case) of the formats OpenCV's imgcodecs reads on Debian: JPEG,
// PNG, PPM/PGM, BMP, TIFF, WebP. morphfit-detect, morphfit-eval and morphfit-batch list folders
// with it, so the three apps agree on what a folder of images holds.
bool IsImageFile(const std::string& path);

}  // namespace morphfit::pipeline
