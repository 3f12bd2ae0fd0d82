#pragma once

#include <string>
#include <vector>

namespace morphfit::render {

// A float32 array as NumPy stores it: C order, `shape` outermost first.
struct NpyArray {
  std::vector<size_t> shape;
  std::vector<float> data;
};

// NumPy format version 1.0, little-endian float32 ('<f4'), C order. Written atomically.
// Throws morphfit::Error naming `path` if the data size does not match the shape or on I/O failure.
void WriteNpy(const std::string& path, const std::vector<size_t>& shape, const float* data);
void WriteNpy(const std::string& path, const NpyArray& array);

// Reads a .npy file holding little-endian float32 in C order (versions 1.0 to 3.0).
// Throws morphfit::Error naming `path` for any other content.
NpyArray ReadNpy(const std::string& path);

}  // namespace morphfit::render
